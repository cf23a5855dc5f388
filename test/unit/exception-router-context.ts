/**
 * A small fake of IExecuteFunctions for driving the Exception Router's `execute` (like Switch V3's
 * deep-mocked tests): parameters per item, monitor calls answered by a handler, failures injectable.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import { fakeMonitorFetch } from './monitor-fetch-fake';

/** The fake monitor's address: only requests to it are faked. */
const MONITOR_URL = 'http://monitor.test';

export interface FakeCall {
  url: string;
  method: string;
  body: any;
  headers?: IDataObject;
}

export interface FakeOptions {
  items: IDataObject[];
  params?: Record<string, unknown | ((i: number) => unknown)>;
  continueOnFail?: boolean;
  /** Answers a monitor call (with credentials, through fetch: restore mocks after each test) — return {statusCode, body}. */
  monitor?: (call: FakeCall) => { statusCode: number; body: unknown } | Promise<{ statusCode: number; body: unknown }>;
  /** Answers a plain httpRequest (the direct notification). */
  webhook?: (call: FakeCall) => { statusCode: number; body?: unknown } | Promise<{ statusCode: number; body?: unknown }>;
}

export function fakeContext(opts: FakeOptions) {
  const monitorCalls: FakeCall[] = [];
  const webhookCalls: FakeCall[] = [];
  const inputs: INodeExecutionData[] = opts.items.map((json) => ({ json }));
  const ctx = {
    getInputData: () => inputs,
    getNodeParameter: (name: string, i: number, fallback?: unknown) => {
      const v = opts.params?.[name];
      if (typeof v === 'function') return (v as (i: number) => unknown)(i);
      return v === undefined ? fallback : v;
    },
    getNode: () => ({
      id: 'n1',
      name: 'Exception Router',
      type: 'n8n-nodes-handoff-guard.exceptionRouter',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    }),
    continueOnFail: () => opts.continueOnFail ?? false,
    getExecutionId: () => '501',
    getWorkflow: () => ({ id: 'wf7', name: 'Kickoff', active: true }),
    getInstanceBaseUrl: () => 'https://n8n.example.test/',
    getExecutionCancelSignal: () => undefined,
    getCredentials: async () => ({ url: MONITOR_URL, token: 'monitor-token-0123456789' }),
    addExecutionHints: () => undefined,
    helpers: {
      httpRequest: async (req: IHttpRequestOptions) => {
        const call = {
          url: String(req.url),
          method: String(req.method),
          body: JSON.parse(JSON.stringify(req.body ?? null)),
          headers: req.headers as IDataObject,
        };
        webhookCalls.push(call);
        if (!opts.webhook) return { statusCode: 200, body: 'ok' };
        return opts.webhook(call);
      },
    },
  };
  fakeMonitorFetch(
    async (request) => {
      const call = { url: request.url, method: request.method, body: request.body ?? null };
      monitorCalls.push(call);
      if (!opts.monitor) return { statusCode: 200, body: {} };
      return opts.monitor(call);
    },
    { only: (url) => url.startsWith(MONITOR_URL) },
  );
  return { ctx: ctx as unknown as IExecuteFunctions, monitorCalls, webhookCalls };
}

/** A monitor that records incidents with dedup by key and answers releases. */
export function fakeMonitor() {
  const incidents = new Map<string, any>();
  let nextId = 1;
  return (call: FakeCall) => {
    if (call.url.endsWith('/api/v1/incidents')) {
      const existing = incidents.get(call.body.dedupKey);
      if (existing) {
        existing.count++;
        return { statusCode: 200, body: { incident: existing, deduplicated: true } };
      }
      const incident = {
        id: nextId++,
        state: 'open',
        owner: { name: 'Dana Ops' },
        slaDueAt: '2026-02-04T09:00:00.000Z',
        count: 1,
        ...call.body,
      };
      incidents.set(call.body.dedupKey, incident);
      return { statusCode: 201, body: { incident, deduplicated: false } };
    }
    if (call.url.endsWith('/api/v1/claims/release')) {
      return { statusCode: 200, body: { results: call.body.keys.map((key: string) => ({ key, outcome: 'released' })) } };
    }
    return { statusCode: 404, body: { error: { code: 'not_found', message: 'no route' } } };
  };
}
