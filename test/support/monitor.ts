/**
 * A real monitor for tests: real HTTP on a free loopback port, and a real store — a SQLite file in
 * a temp folder by default, or a fresh Postgres database (`store: 'postgres'`), dropped on close.
 */
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLogger, loadConfig, startMonitor, type RunningMonitor } from '../../monitor/src';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores';

export const KICKOFF_CONTRACT = `
systems:
  crm: { name: CRM, kind: crm }
  taskboard: { name: Task board, kind: task_board }
handoffs:
  - id: kickoff
    name: Sales → delivery kickoff
    source: crm
    targets: [taskboard]
    owner: { name: Dana Ops, channel: "#delivery-ops" }
    escalation: { name: On-call lead, channel: "#ops-oncall" }
    completionSla: 15m
    exceptionSla: 48h
`;

export interface TestMonitor {
  url: string;
  token: string;
  dir: string;
  /** HANDOFF_MONITOR_DB: the SQLite file or the postgres:// URL. */
  db: string;
  database: TestDatabase;
  contracts: string;
  monitor: RunningMonitor;
  env: Record<string, string>;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** Stops the monitor and starts a new one on the same files (same token and port not guaranteed). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestMonitor(
  opts: { contract?: string | null; env?: Record<string, string>; dir?: string; store?: StoreKind } = {},
): Promise<TestMonitor> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'handoff-monitor-test-'));
  const token = randomBytes(16).toString('hex');
  const database = await createTestDatabase(opts.store ?? 'sqlite', dir);
  const db = database.location;
  const contracts = join(dir, 'handoffs.yaml');
  if (opts.contract !== null) writeFileSync(contracts, opts.contract ?? KICKOFF_CONTRACT);
  const env: Record<string, string> = {
    HANDOFF_MONITOR_TOKEN: token,
    HANDOFF_MONITOR_PORT: '0',
    HANDOFF_MONITOR_DB: db,
    HANDOFF_CONTRACTS: contracts,
    HANDOFF_LOG_LEVEL: 'silent',
    ...opts.env,
  };
  if (opts.contract === null) delete env.HANDOFF_CONTRACTS;
  const boot = () => startMonitor(loadConfig(env), { logger: createLogger(env.HANDOFF_LOG_LEVEL ?? 'silent'), watchContracts: false });
  const cleanUp = async () => {
    await database.drop();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  };
  let monitor: RunningMonitor;
  try {
    monitor = await boot();
  } catch (err) {
    await cleanUp();
    throw err;
  }

  const handle: TestMonitor = {
    url: '',
    token,
    dir,
    db,
    database,
    contracts,
    env,
    monitor,
    async request(method, path, body, headers = {}) {
      const res = await fetch(`${handle.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the tests assert on that
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    post(path, body) {
      return handle.request('POST', path, body);
    },
    async restart() {
      await handle.monitor.close();
      handle.monitor = await boot();
      handle.url = handle.monitor.url;
    },
    async close() {
      try {
        await handle.monitor.close();
      } finally {
        await cleanUp();
      }
    },
  };
  handle.url = handle.monitor.url;
  return handle;
}
