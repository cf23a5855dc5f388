import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
// The handoff dropdown is the Gate's: one list, read from the monitor's contract.
import { getHandoffs } from '../shared/load-handoffs';
import { routerOutputs, routerProperties } from './description';
import { routeExceptions } from './execute';

export class ExceptionRouter implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Exception Router',
    name: 'exceptionRouter',
    icon: { light: 'file:exceptionRouter.svg', dark: 'file:exceptionRouter.dark.svg' },
    group: ['transform'],
    // 1.1: the direct notification posts once per incident by default ("Notify On"); see description.ts.
    version: [1, 1.1],
    subtitle: '={{ $parameter["handoff"] ? "Incident: " + $parameter["handoff"] : "Incident from item" }}',
    description: 'Turns a failure into an incident with an owner: records it in the monitor, routes it by rules and releases the claim so a retry can run',
    defaults: { name: 'Exception Router' },
    inputs: [NodeConnectionTypes.Main],
    outputs: `={{(${routerOutputs})($parameter)}}`,
    credentials: [{ name: 'handoffMonitorApi', required: true }],
    properties: routerProperties,
    usableAsTool: true,
  };

  methods = { loadOptions: { getHandoffs } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return routeExceptions.call(this);
  }
}
