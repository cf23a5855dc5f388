/**
 * Shared by the incident and outbox tests: a real monitor on port 0 with a temp SQLite file or a
 * fresh Postgres database (`store`), a contract, a controllable clock, captured logs, and a local
 * node:http "chat sink".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Writable } from 'stream';
import { createLogger, loadConfig, startMonitor, type RunningMonitor } from '../../monitor/src';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../support/stores';

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
  opts: { env?: Record<string, string>; deps?: Record<string, unknown>; store?: StoreKind } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-incidents-'));
  const contracts = join(dir, 'handoffs.yaml');
  writeFileSync(contracts, CONTRACT);
  const database = await createTestDatabase(opts.store ?? 'sqlite', dir);
  const db = database.location;
  const cleanUp = async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const clock = { now: T0 };
  const config = loadConfig({
    HANDOFF_MONITOR_TOKEN: TOKEN,
    HANDOFF_MONITOR_PORT: '0',
    HANDOFF_MONITOR_DB: db,
    HANDOFF_CONTRACTS: contracts,
    ...opts.env,
  });
  let monitor: RunningMonitor;
  try {
    monitor = await startMonitor(config, {
      logger: createLogger('trace', sink),
      now: () => clock.now,
      watchContracts: false,
      alertIntervalMs: 0,
      alertRetry: { attempts: 3, minTimeoutMs: 5, maxTimeoutMs: 10, requeueMs: 60_000 },
      ...opts.deps,
    });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  return {
    monitor,
    dir,
    db,
    database,
    logs,
    clock,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${monitor.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      try {
        await monitor.close();
      } finally {
        await cleanUp();
      }
    },
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
  sink.close = () => new Promise<void>((resolve) => {
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

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
