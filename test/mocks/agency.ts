/**
 * The agency's other tools, as one small HTTP server for end-to-end tests and the local stack:
 *
 *   CRM         /crm/deals, /crm/deals/:id, POST /crm/deals/:id/close-won {webhookUrl?} (sends the
 *               "deal closed-won" webhook to webhookUrl and every POST /crm/webhooks subscriber)
 *   Task board  /taskboard/projects  (POST, GET ?field=value, GET/PATCH/DELETE /:id)
 *   CMS         /cms/folders         (same shape)
 *   Chat        POST /chat/webhook {text} (Slack-compatible incoming webhook), or /chat/webhook/:channel
 *               for one webhook per channel (each Slack channel has its own URL); GET /chat/messages
 *               (?channel=…): every message with the channel it was posted to ("default" without one)
 *   Control     /_control/...        (calls, faults, webhook faults, idempotency, reset) — same as the TS API
 *               (plus misnameFolders, TS only: the CMS renames what it is given)
 *
 * Every call is recorded. Faults are injected per system: see faults.ts and webhooks.ts.
 */
import http from 'http';
import type { AddressInfo } from 'net';
import { Collection, Rec } from './collections';
import { FaultBook, FaultSpec, SystemName, SYSTEMS } from './faults';
import { Delivery, WebhookFaults, WebhookSender } from './webhooks';

export interface RecordedCall {
  system: SystemName | 'control' | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** Arrival time (ms since epoch), before any injected latency. */
  at: number;
  status?: number;
  /** The caller hung up during injected latency, so the system never saw the call. */
  aborted?: boolean;
}

/** One message the chat received, and the channel webhook it was posted to. */
export interface ChatMessage {
  channel: string;
  text: string;
  at: number;
  payload: unknown;
}

/** The channel of a post to /chat/webhook itself (what `npm start` gives the monitor's alerts). */
export const DEFAULT_CHANNEL = 'default';

/** Slack's answer to a good incoming-webhook post. */
const SLACK_OK = 'ok';
const MAX_BODY_BYTES = 1 << 20;

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (m: RegExpMatchArray, req: ParsedRequest) => Reply | Promise<Reply>;
interface ParsedRequest {
  method: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type AgencyMock = Awaited<ReturnType<typeof startAgencyMock>>;

export async function startAgencyMock(opts: { port?: number; host?: string } = {}) {
  const host = opts.host ?? '127.0.0.1';
  const faults = new FaultBook();
  const webhooks = new WebhookSender();
  const deals = new Collection('deal');
  const projects = new Collection('prj');
  const folders = new Collection('fld');
  const chat: ChatMessage[] = [];
  const subscribers = new Set<string>();
  const calls: RecordedCall[] = [];

  async function closeWon(dealId: string, webhookUrl?: string): Promise<{ deal: Rec; deliveries: Delivery[] } | undefined> {
    const deal = deals.update(dealId, { stage: 'closed-won', closedAt: new Date().toISOString() });
    if (!deal) return undefined;
    const payload = { event: 'deal.closed_won', dealId: deal.id, ...deal };
    const targets = [...new Set([...(webhookUrl ? [webhookUrl] : []), ...subscribers])];
    const deliveries = await Promise.all(targets.map((url) => webhooks.deliver(url, payload)));
    return { deal, deliveries };
  }

  const routes: [string, RegExp, Handler][] = [
    ...collectionRoutes('crm', 'deals', deals),
    [
      'POST',
      /^\/crm\/deals\/([^/]+)\/close-won$/,
      async (m, r) => {
        const out = await closeWon(decodeURIComponent(m[1]), (r.body as { webhookUrl?: string } | undefined)?.webhookUrl);
        return out ? { status: 200, body: out } : { status: 404, body: { error: 'deal_not_found' } };
      },
    ],
    [
      'POST',
      /^\/crm\/webhooks$/,
      (_m, r) => {
        const url = (r.body as { url?: string } | undefined)?.url;
        if (!url) return { status: 400, body: { error: 'url is required' } };
        subscribers.add(url);
        return { status: 201, body: { url } };
      },
    ],
    ...collectionRoutes('taskboard', 'projects', projects),
    ...collectionRoutes('cms', 'folders', folders),
    [
      'POST',
      /^\/chat\/webhook(?:\/([^/]+))?$/,
      (m, r) => {
        const text = (r.body as { text?: unknown } | undefined)?.text;
        if (typeof text !== 'string' || text === '') return { status: 400, body: 'no_text' };
        chat.push({ channel: m[1] ? decodeURIComponent(m[1]) : DEFAULT_CHANNEL, text, at: Date.now(), payload: r.body });
        return { status: 200, body: SLACK_OK };
      },
    ],
    [
      'GET',
      /^\/chat\/messages$/,
      (_m, r) => ({ status: 200, body: { data: chat.filter((c) => !r.query.channel || c.channel === r.query.channel) } }),
    ],
    // Control API: the same powers as the TS API, for shells and the local stack.
    [
      'GET',
      /^\/_control\/calls$/,
      (_m, r) => ({ status: 200, body: { data: calls.filter((c) => !r.query.system || c.system === r.query.system) } }),
    ],
    ['DELETE', /^\/_control\/calls$/, () => ((calls.length = 0), { status: 204 })],
    [
      'POST',
      /^\/_control\/faults$/,
      (_m, r) => {
        const { system, ...spec } = (r.body ?? {}) as FaultSpec & { system: SystemName };
        faults.add(system, spec);
        return { status: 201, body: { ok: true } };
      },
    ],
    ['DELETE', /^\/_control\/faults$/, (_m, r) => (faults.clear(r.query.system as SystemName | undefined), { status: 204 })],
    [
      'POST',
      /^\/_control\/webhook-faults$/,
      (_m, r) => (webhooks.setFaults((r.body ?? {}) as WebhookFaults), { status: 201, body: { ok: true } }),
    ],
    ['GET', /^\/_control\/webhook-deliveries$/, () => ({ status: 200, body: { data: webhooks.deliveries } })],
    [
      'POST',
      /^\/_control\/idempotency$/,
      (_m, r) => {
        const { collection, enabled } = (r.body ?? {}) as { collection?: string; enabled?: boolean };
        const target = collection === 'projects' ? projects : collection === 'folders' ? folders : undefined;
        if (!target) return { status: 400, body: { error: 'collection must be "projects" or "folders"' } };
        target.honourIdempotencyKey = enabled === true;
        return { status: 200, body: { collection, enabled: target.honourIdempotencyKey } };
      },
    ],
    ['POST', /^\/_control\/reset$/, () => (reset(), { status: 204 })],
  ];

  function reset(): void {
    calls.length = 0;
    chat.length = 0;
    subscribers.clear();
    faults.clear();
    webhooks.clear();
    for (const c of [deals, projects, folders]) {
      c.clear();
      c.honourIdempotencyKey = false;
      c.rewrite = undefined;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: 'mock_bug', message: err.message } });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const method = req.method ?? 'GET';
    const parsed: ParsedRequest = { method, query: Object.fromEntries(url.searchParams), headers: req.headers, body: await readBody(req) };
    const system = systemOf(url.pathname);
    const call: RecordedCall = {
      system,
      method,
      path: url.pathname,
      query: parsed.query,
      headers: req.headers,
      body: parsed.body,
      at: Date.now(),
    };
    calls.push(call);

    let reply: Reply | undefined;
    if (system !== 'control' && system !== 'unknown') {
      const fault = faults.next(system, method);
      if (fault.delayMs > 0) {
        await sleep(fault.delayMs);
        // Latency models the network in front of the system: a caller that hung up meanwhile
        // (timeout, crash) never reached it, so nothing is created. Keeps crash tests deterministic.
        if (req.socket.destroyed) {
          call.aborted = true;
          return;
        }
      }
      if (fault.respond) reply = fault.respond;
    }
    if (!reply) {
      const route = routes.find(([m, re]) => m === method && re.test(url.pathname));
      reply = route
        ? await route[2](url.pathname.match(route[1])!, parsed)
        : { status: 404, body: { error: 'no_such_route', method, path: url.pathname } };
    }
    call.status = reply.status;
    send(res, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    /** Recorded calls, optionally of one system and/or method and path. */
    calls: (filter: { system?: string; method?: string; path?: string } = {}) =>
      calls.filter(
        (c) =>
          (!filter.system || c.system === filter.system) &&
          (!filter.method || c.method === filter.method) &&
          (!filter.path || c.path === filter.path),
      ),
    projects: (filter?: Record<string, string>) => projects.list(filter),
    folders: (filter?: Record<string, string>) => folders.list(filter),
    deals: (filter?: Record<string, string>) => deals.list(filter),
    /** Chat messages in arrival order, optionally of one channel (the path after /chat/webhook/). */
    chatMessages: (channel?: string) => chat.filter((c) => channel === undefined || c.channel === channel),
    webhookDeliveries: () => [...webhooks.deliveries],
    addDeal: (fields: Record<string, unknown>) => deals.create({ stage: 'negotiation', ...fields }).record,
    closeWon,
    /** Sends a webhook as the CRM would (subject to webhook faults); `copies` at once. */
    deliverWebhook: (url: string, payload: unknown, copies?: number) => webhooks.deliver(url, payload, copies),
    inject: (system: SystemName, spec: FaultSpec) => faults.add(system, spec),
    clearFaults: (system?: SystemName) => faults.clear(system),
    webhookFaults: (f: WebhookFaults) => webhooks.setFaults(f),
    honourIdempotencyKey: (collection: 'projects' | 'folders', enabled: boolean) => {
      (collection === 'projects' ? projects : folders).honourIdempotencyKey = enabled;
    },
    /** The CMS "tidies" folder names (lower-case slugs), as a misconfigured CMS does: the folder exists but is misnamed. */
    misnameFolders: (on: boolean) => {
      folders.rewrite = on
        ? (f) => ({
            ...f,
            name: String(f.name ?? '')
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-'),
          })
        : undefined;
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** POST/GET/PATCH/DELETE routes of one record type, e.g. /taskboard/projects. */
function collectionRoutes(prefix: string, name: string, c: Collection): [string, RegExp, Handler][] {
  const list = new RegExp(`^/${prefix}/${name}$`);
  const one = new RegExp(`^/${prefix}/${name}/([^/]+)$`);
  const notFound = { status: 404, body: { error: `${name.slice(0, -1)}_not_found` } };
  return [
    [
      'POST',
      list,
      (_m, r) => {
        if (!r.body || typeof r.body !== 'object' || Array.isArray(r.body))
          return { status: 400, body: { error: 'body must be a JSON object' } };
        const key = r.headers['idempotency-key'];
        const { record, created } = c.create(r.body as Record<string, unknown>, typeof key === 'string' ? key : undefined);
        return { status: created ? 201 : 200, body: record, headers: created ? {} : { 'idempotent-replayed': 'true' } };
      },
    ],
    ['GET', list, (_m, r) => ({ status: 200, body: { data: c.list(r.query) } })],
    [
      'GET',
      one,
      (m) => {
        const rec = c.get(decodeURIComponent(m[1]));
        return rec ? { status: 200, body: rec } : notFound;
      },
    ],
    [
      'PATCH',
      one,
      (m, r) => {
        const rec = c.update(decodeURIComponent(m[1]), (r.body ?? {}) as Record<string, unknown>);
        return rec ? { status: 200, body: rec } : notFound;
      },
    ],
    ['DELETE', one, (m) => (c.delete(decodeURIComponent(m[1])) ? { status: 204 } : notFound)],
  ];
}

function systemOf(pathname: string): RecordedCall['system'] {
  const first = pathname.split('/')[1] ?? '';
  if (first === '_control') return 'control';
  return (SYSTEMS as string[]).includes(first) ? (first as SystemName) : 'unknown';
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(payload ? { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' } : {}),
    ...reply.headers,
  });
  res.end(payload);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
