/**
 * A real monitor for tests: real HTTP on a free loopback port, and a real store — a SQLite file in
 * a temp folder by default, or a fresh Postgres database (`store: 'postgres'`), dropped on close.
 *
 * This is the in-process way to start a monitor, used by every monitor test and by the e2e tests
 * that need the ledger beside n8n: the test reaches into it (an injected clock, `alerts.flush()`,
 * `collector.poll()`). Tests of the command itself — start-up output, signals, exit codes, a
 * SIGKILL — need a real process instead: that is `serveCli` in ./cli.ts, the only other way.
 */
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLogger, loadConfig, startMonitor, type RunningMonitor } from '../../monitor/src';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores';

/** What startMonitor takes beside the config: an injected clock, timers off, an alert sender… */
export type MonitorDeps = Parameters<typeof startMonitor>[1];

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
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** Stops the monitor and starts a new one on the same files (same token and port not guaranteed). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestMonitorOptions {
  /** The contract's YAML (default KICKOFF_CONTRACT); null: no contract file at all. */
  contract?: string | null;
  env?: Record<string, string>;
  /** A folder the test owns (kept on close); default a fresh temp folder, removed on close. */
  dir?: string;
  store?: StoreKind;
  /** A database the test owns, shared by several replicas: used as is and not dropped on close. */
  database?: TestDatabase;
  /** Default: a random one. */
  token?: string;
  /** Passed to startMonitor over the defaults (silent logger, no contract watching). */
  deps?: Partial<MonitorDeps>;
}

export async function startTestMonitor(opts: TestMonitorOptions = {}): Promise<TestMonitor> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'handoff-monitor-test-'));
  const token = opts.token ?? randomBytes(16).toString('hex');
  const database = opts.database ?? (await createTestDatabase(opts.store ?? 'sqlite', dir));
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
  const boot = () =>
    startMonitor(loadConfig(env), { logger: createLogger(env.HANDOFF_LOG_LEVEL ?? 'silent'), watchContracts: false, ...opts.deps });
  const cleanUp = async () => {
    if (!opts.database) await database.drop();
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
      // A Headers object, so that a test's own Authorization or Content-Type replaces the default
      // whatever its case, instead of being sent beside it.
      const sent = new Headers({ authorization: `Bearer ${token}` });
      if (body !== undefined) sent.set('content-type', 'application/json');
      for (const [name, value] of Object.entries(headers)) sent.set(name, value);
      const res = await fetch(`${handle.url}${path}`, {
        method,
        headers: sent,
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
