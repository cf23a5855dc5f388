// Workflow JSON exported from the n8n editor, used the way n8n's nodes-base tests use it: the
// pinned data of a node is the output expected from it, not data to pin (pinned nodes would not run).
import { readFileSync } from 'node:fs';

import type { IConnections, IDataObject, INode, IPinData } from 'n8n-workflow';

import type { HarnessWorkflow } from './workflow';

export interface WorkflowFixture {
  workflow: HarnessWorkflow;
  /** Per node name, the json items expected on its first output. */
  expected: Record<string, IDataObject[]>;
}

export function loadWorkflowFixture(path: string): WorkflowFixture {
  const data = JSON.parse(readFileSync(path, 'utf8')) as { nodes: INode[]; connections: IConnections; pinData?: IPinData };
  const expected = Object.fromEntries(Object.entries(data.pinData ?? {}).map(([node, items]) => [node, items.map((item) => item.json)]));
  return { workflow: { nodes: data.nodes, connections: data.connections }, expected };
}
