import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { claim } from './actions/claim.operation';
import { settle } from './actions/settle.operation';
import { gateHints, gateOutputs, gateProperties } from './description';
import { searchHandoffs } from '../shared/handoff-picker';
import { getHandoffs } from '../shared/load-handoffs';

export class IdempotencyGate implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Idempotency Gate',
    name: 'idempotencyGate',
    icon: { light: 'file:idempotencyGate.svg', dark: 'file:idempotencyGate.dark.svg' },
    group: ['transform'],
    // 1.1: the handoff is the shared picker (list or ID); version 1 keeps its dropdown.
    version: [1, 1.1],
    subtitle: '={{ $parameter["operation"] + ": " + ($parameter["handoff"]?.value ?? $parameter["handoff"]) }}',
    description: 'Lets each handoff key through once, even when executions race; retries never create a second project',
    defaults: { name: 'Idempotency Gate' },
    inputs: [NodeConnectionTypes.Main],
    outputs: `={{(${gateOutputs})($parameter)}}`,
    credentials: [{ name: 'handoffMonitorApi', required: true }],
    properties: gateProperties,
    hints: gateHints,
    usableAsTool: true,
  };

  methods = { loadOptions: { getHandoffs }, listSearch: { searchHandoffs } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const operation = this.getNodeParameter('operation', 0, 'claim') as string;
    switch (operation) {
      case 'claim':
        return claim.call(this);
      case 'complete':
      case 'release':
        return settle.call(this, operation);
      default:
        throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`, {
          description: 'Choose Claim, Complete or Release.',
        });
    }
  }
}
