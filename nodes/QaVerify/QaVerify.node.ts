import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { searchHandoffs } from '../shared/handoff-picker';
import { MONITOR_CREDENTIAL } from '../shared/monitor-client';
import { compare } from './actions/compare.operation';
import { reconcileLists } from './actions/reconcile.operation';
import { qaProperties } from './description';

export class QaVerify implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'QA Verify',
    name: 'qaVerify',
    icon: { light: 'file:qaVerify.svg', dark: 'file:qaVerify.dark.svg' },
    group: ['transform'],
    // 1.1: the handoff is the shared picker (list or ID); version 1 keeps its text field.
    version: [1, 1.1],
    subtitle: '={{ $parameter["mode"] === "reconcile" ? "Reconcile lists" : "Compare read-back" }}',
    description: 'Proves a handoff happened: compares what was sent with what the target holds, and reconciles lists by key',
    defaults: { name: 'QA Verify' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Pass', 'Fail'],
    credentials: [{ name: MONITOR_CREDENTIAL, required: false }],
    usableAsTool: true,
    properties: qaProperties,
  };

  methods = { listSearch: { searchHandoffs } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const mode = this.getNodeParameter('mode', 0, 'compare') as string;
    return mode === 'reconcile' ? reconcileLists.call(this) : compare.call(this);
  }
}
