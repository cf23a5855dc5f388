// A stand-in for n8n's database-backed CredentialsHelper: credentials are plain objects keyed by
// credential type, and `authenticate` applies a type's declared authentication the way n8n does,
// so a node's `httpRequestWithAuthentication` sends the same headers it would in production.
import { Credentials } from 'n8n-core';
import type {
  ICredentialDataDecryptedObject,
  IHttpRequestHelper,
  IHttpRequestOptions,
  INode,
  INodeCredentialsDetails,
  INodeParameters,
  INodeProperties,
  IRequestOptionsSimplified,
  IWorkflowExecuteAdditionalData,
  Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, UnexpectedError, isExpression } from 'n8n-workflow';

import type { HarnessCredentialTypes } from './credential-types';

export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

export class HarnessCredentialsHelper extends ICredentialsHelper {
  private readonly store: CredentialsByType;

  constructor(
    private readonly credentialTypes: HarnessCredentialTypes,
    credentials: CredentialsByType = {},
  ) {
    super();
    // Copied so a node that refreshes a token (updateCredentials) cannot leak into the next test.
    this.store = structuredClone(credentials);
  }

  getParentTypes(name: string): string[] {
    return this.credentialTypes.getParentTypes(name);
  }

  isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
    if (!this.credentialTypes.recognizes(credentialType)) return true;
    const type = this.credentialTypes.getByName(credentialType);
    if (!type.restrictToSupportedNodes) return true;
    return (type.supportedNodes ?? []).some((short) => nodeType === short || nodeType.endsWith(`.${short}`));
  }

  getCredentialsProperties(type: string): INodeProperties[] {
    return this.credentialTypes.getProperties(type);
  }

  async getDecrypted(
    _additionalData: IWorkflowExecuteAdditionalData,
    _nodeCredentials: INodeCredentialsDetails,
    type: string,
  ): Promise<ICredentialDataDecryptedObject> {
    const data = this.store[type];
    if (!data) {
      throw new UnexpectedError(`No credentials of type "${type}" were given to the test harness (\`credentials\` option)`);
    }
    // n8n fills in the credential type's defaults for fields the user never set; so do we.
    const withDefaults = NodeHelpers.getNodeParameters(
      this.getCredentialsProperties(type),
      data as INodeParameters,
      true,
      false,
      null,
      null,
    );
    return { ...data, ...(withDefaults as ICredentialDataDecryptedObject) };
  }

  async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
    const credentials = new Credentials(nodeCredentials, type);
    await credentials.setData(this.store[type] ?? {});
    return credentials;
  }

  async updateCredentials(_node: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
    this.store[type] = data;
  }

  async updateCredentialsOauthTokenData(_node: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
    this.store[type] = data;
  }

  async authenticate(
    credentials: ICredentialDataDecryptedObject,
    typeName: string,
    requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
    workflow?: Workflow,
    node?: INode,
  ): Promise<IHttpRequestOptions> {
    const { authenticate } = this.credentialTypes.getByName(typeName);
    if (typeof authenticate === 'function') {
      return await authenticate(credentials, requestOptions as IHttpRequestOptions);
    }
    if (authenticate?.type === 'generic') {
      if (!workflow || !node) throw new UnexpectedError('Generic authentication needs the workflow and node');
      // Keys and values may be expressions over `$credentials` (e.g. '=Bearer {{$credentials.token}}').
      const resolve = (value: string) => {
        if (!isExpression(value)) return value;
        const resolved = workflow.expression.getSimpleParameterValue(
          node,
          value,
          'internal',
          {
            $credentials: credentials,
          },
          undefined,
          '',
        );
        return resolved ? String(resolved) : '';
      };
      const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
      for (const [section, entries] of Object.entries(authenticate.properties)) {
        const bucket = (target[section] ??= {});
        for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
          bucket[resolve(key)] = typeof value === 'string' ? resolve(value) : value;
        }
      }
    }
    return requestOptions as IHttpRequestOptions;
  }

  // Token-refreshing credential types declare a hidden `expirable` field and a preAuthentication
  // hook; like n8n, the hook runs when that field is empty or the server said it expired.
  async preAuthentication(
    helpers: IHttpRequestHelper,
    credentials: ICredentialDataDecryptedObject,
    typeName: string,
    _node: INode,
    credentialsExpired: boolean,
  ): Promise<ICredentialDataDecryptedObject | undefined> {
    const type = this.credentialTypes.getByName(typeName);
    const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
    if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
    if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
    const output = await type.preAuthentication.call(helpers, credentials);
    if (output[expirable.name] === undefined) return undefined;
    const updated = Object.assign(credentials, output) as ICredentialDataDecryptedObject;
    this.store[typeName] = { ...updated };
    return updated;
  }

  async runPreAuthentication(
    helpers: IHttpRequestHelper,
    credentials: ICredentialDataDecryptedObject,
    typeName: string,
  ): Promise<ICredentialDataDecryptedObject | undefined> {
    const type = this.credentialTypes.getByName(typeName);
    if (typeof type.preAuthentication !== 'function') return undefined;
    return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
  }
}
