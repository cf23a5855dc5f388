// The INodeTypes registry the engine asks for a node's implementation by type name and version.
import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

import { EMIT_NODE_TYPE, EmitNode } from './emit-node';

export type NodeTypeInput = INodeType | IVersionedNodeType | (new () => INodeType | IVersionedNodeType);
export type NodeTypeMap = Record<string, NodeTypeInput>;

const isVersioned = (t: INodeType | IVersionedNodeType): t is IVersionedNodeType =>
  'nodeVersions' in t && typeof (t as IVersionedNodeType).getNodeType === 'function';

export class HarnessNodeTypes implements INodeTypes {
  private readonly types = new Map<string, INodeType | IVersionedNodeType>();

  constructor(nodeTypes: NodeTypeMap) {
    this.types.set(EMIT_NODE_TYPE, new EmitNode());
    for (const [name, input] of Object.entries(nodeTypes)) {
      this.types.set(name, typeof input === 'function' ? new input() : input);
    }
  }

  getByName(nodeType: string): INodeType | IVersionedNodeType {
    const type = this.types.get(nodeType);
    if (!type) {
      const known = [...this.types.keys()].join(', ');
      throw new UnexpectedError(`Node type "${nodeType}" is not registered with the test harness (known: ${known})`);
    }
    return type;
  }

  getByNameAndVersion(nodeType: string, version?: number): INodeType {
    const type = this.getByName(nodeType);
    return isVersioned(type) ? type.getNodeType(version) : type;
  }

  getKnownTypes(): IDataObject {
    return Object.fromEntries([...this.types.keys()].map((name) => [name, {}]));
  }

  /** Whether the type feeds test input, so an exported fixture's trigger can be mapped to it. */
  isEmitter(nodeType: string): boolean {
    return this.types.get(nodeType) instanceof EmitNode;
  }

  /** Highest declared version, used when a test's node omits `typeVersion`. */
  latestVersion(nodeType: string): number {
    const type = this.getByName(nodeType);
    if (isVersioned(type)) return type.currentVersion;
    const { version } = type.description;
    return Array.isArray(version) ? Math.max(...version) : version;
  }
}
