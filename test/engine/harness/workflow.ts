// Test workflows are written by hand, so nodes may leave out what an exported n8n workflow always
// has (id, position, typeVersion); this fills those in the way the editor would.
import type { IConnections, INode } from 'n8n-workflow';

import type { HarnessNodeTypes } from './node-types';

export type HarnessNode = Partial<INode> & Pick<INode, 'name' | 'type'>;

export interface HarnessWorkflow {
  nodes: HarnessNode[];
  connections: IConnections;
}

/** `[from, to, fromOutput = 0, toInput = 0]`: one wire between two nodes' main connectors. */
export type Link = [from: string, to: string, fromOutput?: number, toInput?: number];

/** Builds n8n's nested connections object from a flat list of wires. */
export function connect(...links: Link[]): IConnections {
  const connections: IConnections = {};
  for (const [from, to, fromOutput = 0, toInput = 0] of links) {
    const outputs = (connections[from] ??= { main: [] }).main;
    while (outputs.length <= fromOutput) outputs.push([]);
    (outputs[fromOutput] ??= []).push({ node: to, type: 'main', index: toInput });
  }
  return connections;
}

/**
 * Completes each node; a credential type the node declares and the test supplies is attached,
 * because n8n only hands a node the credentials selected on it.
 */
export function completeNodes(nodes: HarnessNode[], nodeTypes: HarnessNodeTypes, credentialTypes: string[]): INode[] {
  return nodes.map((node, index) => {
    const typeVersion = node.typeVersion ?? nodeTypes.latestVersion(node.type);
    const declared = nodeTypes.getByNameAndVersion(node.type, typeVersion).description.credentials ?? [];
    const credentials = { ...node.credentials };
    for (const { name } of declared) {
      if (credentialTypes.includes(name) && !credentials[name]) credentials[name] = { id: name, name };
    }
    return {
      ...node,
      id: node.id ?? `node-${index}`,
      typeVersion,
      position: node.position ?? [index * 220, 0],
      parameters: node.parameters ?? {},
      ...(Object.keys(credentials).length > 0 && { credentials }),
    };
  });
}
