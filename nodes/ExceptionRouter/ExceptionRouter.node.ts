import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
// The handoff picker is the one every node shares: a list read from the monitor's contract, or an ID.
import { searchHandoffs } from '../shared/handoff-picker';
import { getHandoffs } from '../shared/load-handoffs';
import { routerHints, routerOutputs, routerProperties } from './description';
import { routeExceptions } from './execute';

export class ExceptionRouter implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Exception Router',
    name: 'exceptionRouter',
    icon: { light: 'file:exceptionRouter.svg', dark: 'file:exceptionRouter.dark.svg' },
    group: ['transform'],
    // 1.1: the direct notification posts once per incident by default ("Notify On"); see description.ts.
    // 1.2: the handoff is the shared picker (list or ID); 1 and 1.1 keep their dropdown.
    version: [1, 1.1, 1.2],
    subtitle:
      '={{ ($parameter["handoff"]?.value ?? $parameter["handoff"]) ? "Incident: " + ($parameter["handoff"]?.value ?? $parameter["handoff"]) : "Incident from item" }}',
    description:
      'Turns a failure into an incident with an owner: records it in the monitor, routes it by rules and releases the claim so a retry can run',
    defaults: { name: 'Exception Router' },
    inputs: [NodeConnectionTypes.Main],
    outputs: `={{(${routerOutputs})($parameter)}}`,
    credentials: [{ name: 'handoffMonitorApi', required: true }],
    properties: routerProperties,
    hints: routerHints,
    usableAsTool: true,
  };

  methods = { loadOptions: { getHandoffs }, listSearch: { searchHandoffs } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return routeExceptions.call(this);
  }
}
