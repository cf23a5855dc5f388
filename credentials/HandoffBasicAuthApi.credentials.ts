import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** User name and password sent as HTTP Basic authentication. Used by the Resilient Request node. */
export class HandoffBasicAuthApi implements ICredentialType {
  name = 'handoffBasicAuthApi';

  displayName = 'Handoff Basic Auth API';

  icon: Icon = { light: 'file:handoffBasic.svg', dark: 'file:handoffBasic.dark.svg' };

  documentationUrl = 'https://github.com/handoff-guard/handoff-guard#handoff-basic-auth-api-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'User',
      name: 'user',
      type: 'string',
      default: '',
      required: true,
    },
    {
      displayName: 'Password',
      name: 'password',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
    },
    {
      displayName: 'Test URL',
      name: 'testUrl',
      type: 'string',
      default: '',
      placeholder: 'e.g. https://cms.example.com/api/me',
      description:
        'An address on the target system that answers only with valid credentials. Used by the credential test alone; requests go where the node says.',
    },
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: { username: '={{$credentials.user}}', password: '={{$credentials.password}}' },
    },
  };

  // The account belongs to some other system, so only the user knows an address that proves it works.
  test: ICredentialTestRequest = {
    request: { url: '={{$credentials.testUrl}}', method: 'GET' },
  };
}
