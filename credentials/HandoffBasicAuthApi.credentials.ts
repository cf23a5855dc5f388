import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/** User name and password sent as HTTP Basic authentication. Used by the Resilient Request node. */
export class HandoffBasicAuthApi implements ICredentialType {
  name = 'handoffBasicAuthApi';

  displayName = 'Handoff Basic Auth API';

  icon: Icon = { light: 'file:handoffBasic.svg', dark: 'file:handoffBasic.dark.svg' };

  documentationUrl = 'https://github.com/handoff-guard/handoff-guard#resilient-request-credentials';

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
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: { username: '={{$credentials.user}}', password: '={{$credentials.password}}' },
    },
  };
}
