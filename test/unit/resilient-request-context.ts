// A hand-made IExecuteFunctions for driving ResilientRequest.execute() directly. Its HTTP helpers
// are n8n's real outbound transport (the one n8n-core's helpers call), so every request reaches the
// local server; authentication applies the two credential types the way n8n's generic auth does.
import { Container } from '@n8n/di';
import { OutboundHttp } from '@n8n/backend-network';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

/** A parameter is a value, or a function of the item index (an expression n8n would evaluate). */
export type Params = Record<string, unknown | ((itemIndex: number) => unknown)>;

export interface MockRun {
  ctx: IExecuteFunctions;
  hints: NodeExecutionHint[];
}

export function mockContext(opts: {
  params: Params;
  items: IDataObject[];
  credentials?: Record<string, IDataObject>;
  continueOnFail?: boolean;
  signal?: AbortSignal;
}): MockRun {
  const hints: NodeExecutionHint[] = [];
  const node: INode = {
    id: 'rr',
    name: 'Resilient Request',
    type: 'n8n-nodes-handoff-guard.resilientRequest',
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
    ...(opts.continueOnFail && { onError: 'continueRegularOutput' as const }),
  };
  const transport = (options: IHttpRequestOptions) => Container.get(OutboundHttp).requests().request(options);
  const items: INodeExecutionData[] = opts.items.map((json) => ({ json }));

  const ctx = {
    getInputData: () => items,
    getNode: () => node,
    continueOnFail: () => opts.continueOnFail === true,
    getExecutionCancelSignal: () => opts.signal,
    addExecutionHints: (...h: NodeExecutionHint[]) => hints.push(...h),
    getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
      const value = opts.params[name];
      if (value === undefined) return fallback;
      return typeof value === 'function' ? (value as (i: number) => unknown)(itemIndex) : value;
    },
    getCredentials: async (type: string) => {
      const data = opts.credentials?.[type];
      if (!data) throw new Error(`no credentials of type ${type} in the mock`);
      return data;
    },
    helpers: {
      httpRequest: transport,
      async httpRequestWithAuthentication(this: unknown, type: string, options: IHttpRequestOptions) {
        const data = opts.credentials?.[type] ?? {};
        if (type === 'handoffTokenAuthApi') options.headers = { ...options.headers, [String(data.headerName)]: data.token };
        if (type === 'handoffBasicAuthApi') options.auth = { username: String(data.user), password: String(data.password) };
        return await transport(options);
      },
    },
  };
  return { ctx: ctx as unknown as IExecuteFunctions, hints };
}

/** Retry settings small enough for tests: deterministic waits of 20, 40, 80… ms. */
export const FAST_RETRY = {
  maxAttempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 200,
  fullJitter: false,
  totalBudgetSeconds: 10,
  attemptTimeoutMs: 2_000,
};
