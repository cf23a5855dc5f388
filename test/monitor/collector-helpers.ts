/**
 * A real monitor (port 0, temp SQLite, injected clock) wired to the fake n8n, with the collector and
 * the stall detector driven on demand (`poll()`, `tick()`) so every test decides when time passes.
 */
import type { RunningMonitor } from '../../monitor/src';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';
import { startTestMonitor, type MonitorDeps, type TestMonitor } from '../support/monitor';

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
  opts: { env?: Record<string, string>; deps?: Partial<MonitorDeps>; contract?: string } = {},
): Promise<CollectorHarness> {
  const n8n = await startFakeN8n({ now: T0 });
  const clock = n8n.clock;
  let started: TestMonitor;
  try {
    started = await startTestMonitor({
      token: TOKEN,
      contract: opts.contract ?? CONTRACT,
      env: { N8N_BASE_URL: n8n.url, N8N_API_KEY: n8n.apiKey, ...opts.env },
      deps: {
        now: () => clock.now,
        alertIntervalMs: 0,
        collectorIntervalMs: 0,
        detectorIntervalMs: 0,
        // Every scrape in these tests must see the state the test just made.
        metricsShareMs: 0,
        ...opts.deps,
      },
    });
  } catch (err) {
    await n8n.close();
    throw err;
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await started.request(method, path, body);
    return { status: res.status, body: res.body };
  };
  return {
    n8n,
    monitor: started.monitor,
    clock,
    dir: started.dir,
    poll: () => started.monitor.collector!.poll(),
    metrics: async () => (await call('GET', '/metrics')).body as string,
    call,
    async stop() {
      try {
        await started.close();
      } finally {
        await n8n.close();
      }
    },
  };
}
