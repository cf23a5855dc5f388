/**
 * Shared by the incident and outbox tests: a real monitor on port 0 with a temp SQLite file or a
 * fresh Postgres database (`store`), a contract, a controllable clock, captured logs, and a local
 * node:http "chat sink".
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Writable } from 'stream';
import { createLogger, type RunningMonitor } from '../../monitor/src';
import { startTestMonitor, type MonitorDeps } from '../support/monitor';
import type { StoreKind, TestDatabase } from '../support/stores';

export const TOKEN = 'test-token-0123456789abcdef';
export const T0 = Date.parse('2026-02-02T09:00:00Z');

export const CONTRACT = `
systems:
  crm: { name: CRM }
  taskboard: { name: Task board }
handoffs:
  - id: kickoff
    source: crm
    targets: [taskboard]
    owner: { name: Dana Ops, channel: "#delivery-ops" }
    escalation: { name: On-call lead, channel: "#ops-oncall" }
    exceptionSla: 2h
    routes:
      - match: invalid
        to: { name: Sam Sales, channel: "#sales-ops" }
      - match: request_failed
        to: owner
  - id: no-oncall
    source: crm
    targets: [taskboard]
    owner: { name: Lee Solo }
`;

export interface Harness {
  monitor: RunningMonitor;
  dir: string;
  /** HANDOFF_MONITOR_DB: the SQLite file or the postgres:// URL. */
  db: string;
  database: TestDatabase;
  logs: string[];
  clock: { now: number };
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: { env?: Record<string, string>; deps?: Partial<MonitorDeps>; store?: StoreKind } = {},
): Promise<Harness> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const clock = { now: T0 };
  const m = await startTestMonitor({
    token: TOKEN,
    contract: CONTRACT,
    store: opts.store,
    env: opts.env,
    deps: {
      logger: createLogger('trace', sink),
      now: () => clock.now,
      alertIntervalMs: 0,
      alertRetry: { attempts: 3, minTimeoutMs: 5, maxTimeoutMs: 10, requeueMs: 60_000 },
      ...opts.deps,
    },
  });
  return {
    monitor: m.monitor,
    dir: m.dir,
    db: m.db,
    database: m.database,
    logs,
    clock,
    async call(method, path, body, headers = {}) {
      const res = await m.request(method, path, body, headers);
      return { status: res.status, body: res.body === '' ? undefined : res.body };
    },
    stop: () => m.close(),
  };
}

export interface SinkRequest {
  headers: IncomingHttpHeaders;
  body: any;
  raw: string;
  status: number;
}

export interface Sink {
  url: string;
  requests: SinkRequest[];
  /** Status the sink answers with next (one value per request, then `fallback`). */
  statuses: number[];
  fallback: number;
  close(): Promise<void>;
}

export async function startSink(port = 0): Promise<Sink> {
  const sink: Partial<Sink> = { requests: [], statuses: [], fallback: 200 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const status = sink.statuses!.shift() ?? sink.fallback!;
      sink.requests!.push({ headers: req.headers, raw, body: safeJson(raw), status });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return sink as Sink;
}

const safeJson = (raw: string) => {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

export const report = (over: Record<string, unknown> = {}) => ({
  handoff: 'kickoff',
  dedupKey: 'kickoff:request_failed:deal-42',
  title: 'Task board answered 503',
  kind: 'request_failed',
  ...over,
});
