/**
 * A fake of n8n's public API, shaped like the facts in docs/n8n-facts.md: executions in cursor
 * pages of at most 250, newest first; running executions left out unless `status=running` is asked
 * for; `includeData` adds `data.resultData` (and the run's `workflowData` snapshot when one was
 * given); workflows with tags, whole (nodes, connections, settings) in the list as in one by id
 * (`putWorkflow`); X-N8N-API-KEY
 * required. An outage switch answers 503 (or drops the connection) so tests and the benchmark can
 * cut n8n off and back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

export type FakeStatus = 'canceled' | 'crashed' | 'error' | 'new' | 'running' | 'success' | 'unknown' | 'waiting';

export interface FakeExecution {
  id: string;
  workflowId: string;
  status: FakeStatus;
  mode: string;
  startedAt: string;
  stoppedAt: string | null;
  waitTill: string | null;
  retryOf: string | null;
  retrySuccessId: string | null;
  /** What includeData=true returns (data.resultData). */
  data?: unknown;
  /** The workflow as it was when the run started; includeData=true returns it as `workflowData`. */
  workflowData?: unknown;
}

/**
 * A node as n8n's workflow JSON holds it (the templates' shape). The fields are listed rather than
 * left open with an index signature, so the tests' own node types (interfaces) are accepted as they are.
 */
export interface FakeWorkflowNode {
  id?: string;
  name: string;
  type: string;
  typeVersion?: number;
  position?: [number, number];
  parameters?: Record<string, unknown>;
  credentials?: Record<string, { id?: string; name: string }>;
  webhookId?: string;
  disabled?: boolean;
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTries?: number;
  onError?: string;
}

/** What `GET /api/v1/workflows/:id` returns besides id, name and tags. */
export interface FakeWorkflowDefinition {
  id: string;
  name?: string;
  active?: boolean;
  isArchived?: boolean;
  nodes: FakeWorkflowNode[];
  connections?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  /** n8n 2.x: the published version production webhooks serve; omitted = like the 2.41.1 facts (none). */
  activeVersion?: { versionId?: string; nodes: FakeWorkflowNode[]; connections?: Record<string, unknown> } | null;
  /** n8n 2.x: the id of the published version (null when unpublished); omitted = none. */
  activeVersionId?: string | null;
}

export interface FakeWebhookCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type NewExecution = Partial<Omit<FakeExecution, 'id'>> & { workflowId: string };

export interface FakeN8n {
  url: string;
  apiKey: string;
  /** Adds one execution with the next id; times default to the fake's clock. */
  add(e: NewExecution): FakeExecution;
  /** Adds `count` executions at once (a burst), ids in order. */
  burst(count: number, make: (i: number) => NewExecution): FakeExecution[];
  update(id: string, patch: Partial<FakeExecution>): void;
  remove(id: string): void;
  setWorkflow(id: string, tags: string[], name?: string): void;
  /** Adds or replaces a workflow's definition (nodes, active…) for GET /api/v1/workflows/:id; keeps its tags. */
  putWorkflow(w: FakeWorkflowDefinition): void;
  /** Deletes a workflow: GET /api/v1/workflows/:id answers 404, the list leaves it out. */
  removeWorkflow(id: string): void;
  /** 'down' answers 503; 'reset' drops every connection; 'up' is normal. */
  outage(mode: 'up' | 'down' | 'reset'): void;
  /** Every request path+query the fake answered (or refused), oldest first. */
  requests: string[];
  /** Called before each request is answered: lets a test change n8n between two calls of one poll. */
  onRequest?: (pathAndQuery: string) => void;
  /** Plays the workflow behind a production webhook (`/webhook/<path>`); without it, 404 as n8n does. */
  onWebhook?: (call: FakeWebhookCall) => Promise<{ status: number; body?: unknown }>;
  /** Every production webhook call, oldest first. */
  webhookCalls: FakeWebhookCall[];
  clock: { now: number };
  close(): Promise<void>;
}

const PAGE_LIMIT = 250;

const encodeCursor = (lastId: number) => Buffer.from(JSON.stringify({ lastId, limit: PAGE_LIMIT })).toString('base64');
const decodeCursor = (cursor: string): number | undefined => {
  try {
    const { lastId } = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { lastId: number };
    return typeof lastId === 'number' ? lastId : undefined;
  } catch {
    return undefined;
  }
};

export async function startFakeN8n(opts: { apiKey?: string; now?: number } = {}): Promise<FakeN8n> {
  const apiKey = opts.apiKey ?? 'fake-n8n-api-key-0123456789';
  // Ascending by id (ids are handed out in order), so a page is a walk down from an index.
  const executions: FakeExecution[] = [];
  const byId = new Map<string, FakeExecution>();
  const workflows = new Map<string, { id: string; name: string; tags: string[]; definition?: FakeWorkflowDefinition }>();
  let nextId = 1;
  let mode: 'up' | 'down' | 'reset' = 'up';
  const requests: string[] = [];
  const webhookCalls: FakeWebhookCall[] = [];
  const clock = { now: opts.now ?? Date.parse('2026-03-02T09:00:00Z') };

  const wire = (e: FakeExecution, includeData: boolean) => {
    const { data, workflowData, ...rest } = e;
    return {
      ...rest,
      finished: e.status === 'success',
      ...(includeData ? { data: { resultData: data ?? { runData: {} } } } : {}),
      ...(includeData && workflowData !== undefined ? { workflowData } : {}),
    };
  };

  /** One workflow the way n8n's GET /api/v1/workflows/:id answers it. */
  const wireWorkflow = (w: { id: string; name: string; tags: string[]; definition?: FakeWorkflowDefinition }) => {
    const d = w.definition;
    return {
      id: w.id,
      name: w.name,
      active: d?.active ?? false,
      isArchived: d?.isArchived ?? false,
      nodes: d?.nodes ?? [],
      connections: d?.connections ?? {},
      settings: d?.settings ?? {},
      tags: w.tags.map((name) => ({ id: name, name })),
      ...(d && d.activeVersion !== undefined ? { activeVersion: d.activeVersion } : {}),
      ...(d && d.activeVersionId !== undefined ? { activeVersionId: d.activeVersionId } : {}),
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  /** Index of the last execution with id < lastId (binary search; ids are numeric and ascending). */
  const below = (lastId: number): number => {
    let lo = 0;
    let hi = executions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Number(executions[mid].id) < lastId) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };

  const listExecutions = (q: URLSearchParams) => {
    const limit = Math.min(PAGE_LIMIT, Math.max(1, Number(q.get('limit') ?? 100) || 100));
    const status = q.get('status');
    const workflowId = q.get('workflowId');
    const includeData = q.get('includeData') === 'true';
    const cursor = q.get('cursor');
    let start = executions.length - 1;
    if (cursor) {
      const lastId = decodeCursor(cursor);
      if (lastId === undefined) return { status: 400, body: { message: 'invalid cursor' } };
      start = below(lastId);
    }
    const data = [];
    let i = start;
    for (; i >= 0 && data.length < limit; i--) {
      const e = executions[i];
      // n8n leaves running executions out unless they are asked for (docs/n8n-facts.md).
      if (status ? e.status !== status : e.status === 'running') continue;
      if (workflowId && e.workflowId !== workflowId) continue;
      data.push(wire(e, includeData));
    }
    // Like n8n, a full page carries a cursor even when nothing older is left.
    const last = data[data.length - 1];
    return { status: 200, body: { data, nextCursor: data.length === limit && last ? encodeCursor(Number(last.id)) : null } };
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${url.pathname}${url.search}`);
    fake.onRequest?.(`${url.pathname}${url.search}`);
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (mode === 'down') return send(res, 503, { message: 'n8n is restarting' });
    // Production webhooks need no API key (n8n serves them to the world); a test plays the workflow.
    if (url.pathname.startsWith('/webhook/')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const call: FakeWebhookCall = {
          method: req.method ?? 'GET',
          path: url.pathname.slice('/webhook/'.length),
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        };
        webhookCalls.push(call);
        if (!fake.onWebhook) return send(res, 404, { message: `The requested webhook "${call.method} ${call.path}" is not registered.` });
        fake.onWebhook(call).then(
          (r) => send(res, r.status, r.body ?? { message: 'Workflow was started' }),
          (err: Error) => send(res, 500, { message: err.message }),
        );
      });
      return;
    }
    if (req.headers['x-n8n-api-key'] !== apiKey) return send(res, 401, { message: "'X-N8N-API-KEY' header required" });
    if (req.method !== 'GET') return send(res, 405, { message: 'only GET is faked' });
    if (url.pathname === '/api/v1/executions') {
      const { status, body } = listExecutions(url.searchParams);
      return send(res, status, body);
    }
    const one = /^\/api\/v1\/executions\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const e = byId.get(decodeURIComponent(one[1]));
      if (!e) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, wire(e, url.searchParams.get('includeData') === 'true'));
    }
    const oneWorkflow = /^\/api\/v1\/workflows\/([^/]+)$/.exec(url.pathname);
    if (oneWorkflow) {
      const w = workflows.get(decodeURIComponent(oneWorkflow[1]));
      if (!w) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, wireWorkflow(w));
    }
    if (url.pathname === '/api/v1/workflows') {
      const all = [...workflows.values()].sort((a, b) => a.id.localeCompare(b.id));
      const offset = Number(url.searchParams.get('cursor') ?? 0) || 0;
      const page = all.slice(offset, offset + PAGE_LIMIT);
      const next = offset + PAGE_LIMIT < all.length ? String(offset + PAGE_LIMIT) : null;
      // Like n8n, the list carries each workflow whole (nodes, connections, settings, archived, published version): the audit reads it.
      return send(res, 200, { data: page.map((w) => wireWorkflow(w)), nextCursor: next });
    }
    send(res, 404, { message: 'Not Found' });
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const add = (e: NewExecution): FakeExecution => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const status = e.status ?? 'success';
    const finished = !['running', 'waiting', 'new'].includes(status);
    const full: FakeExecution = {
      id: String(nextId++),
      workflowId: e.workflowId,
      status,
      mode: e.mode ?? 'webhook',
      startedAt: e.startedAt ?? iso(clock.now),
      stoppedAt: e.stoppedAt !== undefined ? e.stoppedAt : finished ? iso(clock.now) : null,
      waitTill: e.waitTill ?? null,
      retryOf: e.retryOf ?? null,
      retrySuccessId: e.retrySuccessId ?? null,
      data: e.data,
      ...(e.workflowData !== undefined ? { workflowData: e.workflowData } : {}),
    };
    executions.push(full);
    byId.set(full.id, full);
    return full;
  };

  const fake: FakeN8n = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    add,
    burst: (count, make) => Array.from({ length: count }, (_, i) => add(make(i))),
    update(id, patch) {
      const e = byId.get(id);
      if (!e) throw new Error(`fake n8n has no execution ${id}`);
      Object.assign(e, patch);
    },
    remove(id) {
      const e = byId.get(id);
      if (!e) return;
      byId.delete(id);
      executions.splice(executions.indexOf(e), 1);
    },
    setWorkflow(id, tags, name) {
      const definition = workflows.get(id)?.definition;
      workflows.set(id, { id, name: name ?? `workflow ${id}`, tags, ...(definition ? { definition } : {}) });
    },
    putWorkflow(w) {
      const known = workflows.get(w.id);
      workflows.set(w.id, { id: w.id, name: w.name ?? known?.name ?? `workflow ${w.id}`, tags: known?.tags ?? [], definition: w });
    },
    removeWorkflow(id) {
      workflows.delete(id);
    },
    outage(next) {
      mode = next;
    },
    requests,
    webhookCalls,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}
