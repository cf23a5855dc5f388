import type { IAuthenticateGeneric, Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** Where the Handoff Guard monitor runs and the token its API expects (HANDOFF_MONITOR_TOKEN). */
export class HandoffMonitorApi implements ICredentialType {
  name = 'handoffMonitorApi';

  displayName = 'Handoff Monitor API';

  icon: Icon = { light: 'file:handoffMonitor.svg', dark: 'file:handoffMonitor.dark.svg' };

  documentationUrl = 'https://github.com/handoff-guard/handoff-guard#the-handoff-monitor-api-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Monitor URL',
      name: 'url',
      type: 'string',
      default: 'http://127.0.0.1:5680',
      placeholder: 'e.g. http://127.0.0.1:5680',
      description: 'Base URL of the Handoff Guard monitor, as n8n reaches it (same host or container network)',
      required: true,
    },
    {
      displayName: 'Token',
      name: 'token',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'The HANDOFF_MONITOR_TOKEN the monitor was started with',
      required: true,
    },
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { Authorization: '=Bearer {{$credentials.token}}' },
    },
  };

  // Listing handoffs needs the token, so a wrong URL and a wrong token both fail the test.
  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.url.replace(/\\/+$/, "")}}',
      url: '/api/v1/handoffs',
      method: 'GET',
    },
  };
}
