import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A token in a header the target system names: `Authorization: Bearer …` for most APIs, a vendor
 * header such as `X-Api-Key` for others. Used by the Resilient Request node.
 */
export class HandoffTokenAuthApi implements ICredentialType {
  name = 'handoffTokenAuthApi';

  displayName = 'Handoff Header Token API';

  icon: Icon = { light: 'file:handoffToken.svg', dark: 'file:handoffToken.dark.svg' };

  documentationUrl = 'https://github.com/handoff-guard/handoff-guard#handoff-header-token-api-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Header Name',
      name: 'headerName',
      type: 'string',
      default: 'Authorization',
      placeholder: 'e.g. X-Api-Key',
      description: 'The header the target system reads the token from',
      required: true,
    },
    {
      displayName: 'Header Value',
      name: 'token',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'e.g. Bearer abc123…',
      description: 'The whole header value, including a "Bearer " prefix if the target system expects one',
      required: true,
    },
    {
      displayName: 'Test URL',
      name: 'testUrl',
      type: 'string',
      default: '',
      placeholder: 'e.g. https://tasks.example.com/api/me',
      description:
        'An address on the target system that answers only with a valid token. Used by the credential test alone; requests go where the node says.',
    },
  ];

  // n8n resolves expressions in header names too, so one credential serves any header.
  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { '={{$credentials.headerName}}': '={{$credentials.token}}' },
    },
  };

  // The token belongs to some other system, so only the user knows an address that proves it works.
  test: ICredentialTestRequest = {
    request: { url: '={{$credentials.testUrl}}', method: 'GET' },
  };
}
