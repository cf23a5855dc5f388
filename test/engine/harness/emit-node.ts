// The workflow's entry point. n8n-core ships no nodes, so the harness brings its own: the items a
// test passes as `input` are handed to this node as its input data, and it emits them unchanged.
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

export const EMIT_NODE_TYPE = 'test.emit';

export class EmitNode implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Test Emit',
    name: EMIT_NODE_TYPE,
    group: ['input'],
    version: 1,
    description: 'Emits the items the test harness feeds it',
    defaults: { name: 'Start' },
    inputs: [],
    outputs: ['main'],
    properties: [],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return [this.getInputData()];
  }
}
