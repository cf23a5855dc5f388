import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { send } from './actions/send.operation';
import { AUTHENTICATION, OUTPUT_NAMES, requestHints, requestProperties } from './description';

export class ResilientRequest implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Resilient Request',
    name: 'resilientRequest',
    icon: { light: 'file:resilientRequest.svg', dark: 'file:resilientRequest.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["method"] + " " + $parameter["url"] }}',
    description:
      'An HTTP call for syncs: retries only what is safe, with backoff, Retry-After and an Idempotency-Key, and sends what still fails to Failed',
    defaults: { name: 'Resilient Request' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: OUTPUT_NAMES,
    credentials: [
      { name: AUTHENTICATION.token, required: true, displayOptions: { show: { authentication: [AUTHENTICATION.token] } } },
      { name: AUTHENTICATION.basic, required: true, displayOptions: { show: { authentication: [AUTHENTICATION.basic] } } },
    ],
    properties: requestProperties,
    hints: requestHints,
    usableAsTool: true,
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return await send.call(this);
  }
}
