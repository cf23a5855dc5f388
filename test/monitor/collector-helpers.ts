/**
 * A real monitor (port 0, temp SQLite, injected clock) wired to the fake n8n, with the collector and
 * the stall detector driven on demand (`poll()`, `tick()`) so every test decides when time passes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLogger, loadConfig, startMonitor, type RunningMonitor } from '../../monitor/src';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';

export const TOKEN = 'collector-test-token-0123456789';
export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const MINUTE = 60_000;

/** Workflow "101" and anything tagged "kickoff" carry the kickoff; "202" carries invoicing; "999" nothing. */
export const CONTRACT = `
systems:
  crm: { name: CRM }
  taskboard: { name: Task board }
handoffs:
  - id: kickoff
    source: crm
    targets: [taskboard]
    owner: { name: Dana Ops, channel: "#delivery-ops" }
    completionSla: 15m
    reviewSla: 1h
    expectedCadence: 2h
    reworkMinutes: 45
    workflows: ["101", kickoff]
  - id: invoicing
    source: crm
    targets: [taskboard]
    owner: { name: Ivy Finance }
    completionSla: 30m
    workflows: ["202"]
`;

export interface CollectorHarness {
  n8n: FakeN8n;
  monitor: RunningMonitor;
  clock: { now: number };
  dir: string;
  poll(): ReturnType<NonNullable<RunningMonitor['collector']>['poll']>;
  metrics(): Promise<string>;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startCollectorHarness(
  opts: { env?: Record<string, string>; deps?: Parameters<typeof startMonitor>[1] extends infer D ? Partial<D> : never; contract?: string } = {},
): Promise<CollectorHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-collector-'));
  writeFileSync(join(dir, 'handoffs.yaml'), opts.contract ?? CONTRACT);
  const n8n = await startFakeN8n({ now: T0 });
  const clock = n8n.clock;
  const config = loadConfig({
    HANDOFF_MONITOR_TOKEN: TOKEN,
    HANDOFF_MONITOR_PORT: '0',
    HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
    HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
    N8N_BASE_URL: n8n.url,
    N8N_API_KEY: n8n.apiKey,
    ...opts.env,
  });
  const monitor = await startMonitor(config, {
    logger: createLogger('silent'),
    now: () => clock.now,
    watchContracts: false,
    alertIntervalMs: 0,
    collectorIntervalMs: 0,
    detectorIntervalMs: 0,
    // Every scrape in these tests must see the state the test just made.
    metricsShareMs: 0,
    ...opts.deps,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${monitor.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // metrics text
    }
    return { status: res.status, body: parsed as any };
  };
  return {
    n8n,
    monitor,
    clock,
    dir,
    poll: () => monitor.collector!.poll(),
    metrics: async () => (await call('GET', '/metrics')).body as string,
    call,
    async stop() {
      await monitor.close();
      await n8n.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The value of one sample in exposition text, e.g. sample(text, 'handoff_executions_total{handoff="kickoff",status="success"}'). */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
