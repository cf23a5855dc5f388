// The credential type registry: the engine and the credentials helper look types up by name.
import type { ICredentialType, ICredentialTypes, INodeProperties } from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

export type CredentialTypeInput = ICredentialType | (new () => ICredentialType);

export class HarnessCredentialTypes implements ICredentialTypes {
  private readonly types = new Map<string, ICredentialType>();

  constructor(inputs: CredentialTypeInput[] = []) {
    for (const input of inputs) {
      const type = typeof input === 'function' ? new input() : input;
      this.types.set(type.name, type);
    }
  }

  recognizes(name: string): boolean {
    return this.types.has(name);
  }

  getByName(name: string): ICredentialType {
    const type = this.types.get(name);
    if (!type) {
      throw new UnexpectedError(`Credential type "${name}" is not registered with the test harness; pass its class in \`credentialTypes\``);
    }
    return type;
  }

  getSupportedNodes(name: string): string[] {
    return this.types.get(name)?.supportedNodes ?? [];
  }

  getParentTypes(name: string): string[] {
    const parents = this.types.get(name)?.extends ?? [];
    return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
  }

  /** Own properties merged over the parents', as n8n's CredentialsHelper does, so defaults apply. */
  getProperties(name: string): INodeProperties[] {
    const type = this.getByName(name);
    if (!type.extends) return type.properties;
    const merged: INodeProperties[] = [];
    for (const parent of type.extends) {
      NodeHelpers.mergeNodeProperties(merged, this.recognizes(parent) ? this.getProperties(parent) : []);
    }
    NodeHelpers.mergeNodeProperties(merged, type.properties);
    return merged;
  }
}
