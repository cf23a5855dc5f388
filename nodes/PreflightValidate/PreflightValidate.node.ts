import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { searchHandoffs } from '../shared/handoff-picker';
import { MONITOR_CREDENTIAL } from '../shared/monitor-client';
import { validateItems } from './actions/validate';
import { preflightProperties } from './description';

export class PreflightValidate implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Preflight Validate',
    name: 'preflightValidate',
    icon: { light: 'file:preflightValidate.svg', dark: 'file:preflightValidate.dark.svg' },
    group: ['transform'],
    // 1.1: the handoff is the shared picker (list or ID); version 1 keeps its text field.
    version: [1, 1.1],
    subtitle: '={{ $parameter["mode"] === "rules" ? "Field rules" : "JSON Schema" }}',
    description:
      'Checks each item against a JSON Schema or simple field rules before anything is written; bad data goes to Invalid with the reason',
    defaults: { name: 'Preflight Validate' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Valid', 'Invalid'],
    credentials: [{ name: MONITOR_CREDENTIAL, required: false }],
    usableAsTool: true,
    properties: preflightProperties,
  };

  methods = { listSearch: { searchHandoffs } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return validateItems.call(this);
  }
}
