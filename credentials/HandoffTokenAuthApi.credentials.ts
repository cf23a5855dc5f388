import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A token in a header the target system names: `Authorization: Bearer …` for most APIs, a vendor
 * header such as `X-Api-Key` for others. Used by the Resilient Request node.
 */
export class HandoffTokenAuthApi implements ICredentialType {
  name = 'handoffTokenAuthApi';

  displayName = 'Handoff Header Token API';

  icon: Icon = { light: 'file:handoffToken.svg', dark: 'file:handoffToken.dark.svg' };

  documentationUrl = 'https://github.com/handoff-guard/handoff-guard#resilient-request-credentials';

  properties: INodeProperties[] = [
    {
      displayName: 'Header Name',
      name: 'headerName',
      type: 'string',
      default: 'Authorization',
      placeholder: 'X-Api-Key',
      description: 'The header the target system reads the token from',
      required: true,
    },
    {
      displayName: 'Header Value',
      name: 'value',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'Bearer abc123…',
      description: 'The whole header value, including a "Bearer " prefix if the target system expects one',
      required: true,
    },
  ];

  // n8n resolves expressions in header names too, so one credential serves any header.
  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { '={{$credentials.headerName}}': '={{$credentials.value}}' },
    },
  };
}
