/** The /metrics registry over a stub store: concurrent scrapes share one load; NaN without runs; nothing global. */
import { register as globalRegistry } from 'prom-client';
import { contractSchema } from '../../monitor/src/contract/schema';
import type { ContractStore } from '../../monitor/src/contract/store';
import { createMetrics } from '../../monitor/src/metrics/registry';
import type { AggregateSnapshot, AggregateStore } from '../../monitor/src/domain/store';

const contract = contractSchema.parse({
  systems: { crm: { name: 'CRM' } },
  handoffs: [{ id: 'kickoff', source: 'crm', targets: ['crm'], owner: { name: 'Dana' }, reworkMinutes: 90 }],
});
const contracts = {
  current: () => contract,
  handoff: (id: string) => contract.handoffs.find((h) => h.id === id),
} as unknown as ContractStore;

const snapshot: AggregateSnapshot = {
  claims: [
    { handoff: 'kickoff', decision: 'duplicate', count: 3 },
    { handoff: 'kickoff', decision: 'conflict', count: 5 },
  ],
  executions: [],
  windows: [],
  outcomeWindows: [],
  histograms: [{ metric: 'time_to_recovery', handoff: 'kickoff', counts: [1, 0, 2, 0, 0, 0, 0, 0, 0, 1], sum: 1_000, count: 4 }],
  incidentsOpen: [],
  slaBreaches: [],
};

function stubAggregates(delayMs = 20) {
  let loads = 0;
  const aggregates: AggregateStore = {
    advance: async () => undefined,
    observe: async () => undefined,
    foldResolvedIncidents: async () => 0,
    snapshot: async () => {
      loads++;
      await new Promise((r) => setTimeout(r, delayMs));
      return snapshot;
    },
  };
  return { aggregates, loads: () => loads };
}

describe('createMetrics', () => {
  it('serves concurrent scrapes from one store load', async () => {
    const stub = stubAggregates();
    const metrics = createMetrics({ aggregates: stub.aggregates, contracts, stalls: () => new Map(), shareMs: 0 });
    const texts = await Promise.all(Array.from({ length: 5 }, () => metrics.scrape()));
    expect(stub.loads()).toBe(1);
    expect(new Set(texts).size).toBe(1);
    await metrics.scrape();
    expect(stub.loads()).toBe(2);
  });

  it('derives duplicates suppressed and rework hours from the claim counters', async () => {
    const text = await createMetrics({ aggregates: stubAggregates(0).aggregates, contracts, stalls: () => new Map() }).scrape();
    expect(text).toContain('handoff_duplicates_suppressed_total{handoff="kickoff"} 3');
    expect(text).toContain('handoff_rework_hours_saved_total{handoff="kickoff"} 4.5');
  });

  it('shows NaN for a window without runs and the collector as never successful', async () => {
    const text = await createMetrics({ aggregates: stubAggregates(0).aggregates, contracts, stalls: () => new Map() }).scrape();
    // prom-client writes "Nan"; Prometheus parses it case-insensitively.
    expect(text).toMatch(/handoff_failed_sync_ratio\{handoff="kickoff",window="1h"\} NaN$/im);
    expect(text).toContain('handoff_collector_last_success_timestamp_seconds 0');
  });

  it('writes a stall while it lasts, then 0, and never a kind that did not stall', async () => {
    let stalls = new Map([['kickoff', new Map([['claim' as const, 2]])]]);
    const metrics = createMetrics({ aggregates: stubAggregates(0).aggregates, contracts, stalls: () => stalls, shareMs: 0 });
    let text = await metrics.scrape();
    expect(text).toContain('handoff_stalled{handoff="kickoff",kind="claim"} 2');
    expect(text).not.toContain('kind="cadence"');
    stalls = new Map();
    text = await metrics.scrape();
    expect(text).toContain('handoff_stalled{handoff="kickoff",kind="claim"} 0');
  });

  it('escapes label values and matches prom-client’s own text for the plain metrics', async () => {
    const odd = { ...snapshot, executions: [{ handoff: 'a"b\\c\nd', status: 'success', count: 1 }] };
    const aggregates = { ...stubAggregates(0).aggregates, snapshot: async () => odd };
    const text = await createMetrics({ aggregates, contracts, stalls: () => new Map() }).scrape();
    expect(text).toContain('handoff_executions_total{handoff="a\\"b\\\\c\\nd",status="success"} 1');
    expect(text).toContain('# TYPE handoff_collector_errors_total counter\nhandoff_collector_errors_total 0');
  });

  it('writes cumulative histogram buckets from the stored per-slot counts', async () => {
    const text = await createMetrics({ aggregates: stubAggregates(0).aggregates, contracts, stalls: () => new Map() }).scrape();
    expect(text).toContain('handoff_time_to_recovery_seconds_bucket{le="60"} 1');
    expect(text).toContain('handoff_time_to_recovery_seconds_bucket{le="300"} 1');
    expect(text).toContain('handoff_time_to_recovery_seconds_bucket{le="900"} 3');
    expect(text).toContain('handoff_time_to_recovery_seconds_bucket{le="604800"} 3');
    expect(text).toContain('handoff_time_to_recovery_seconds_bucket{le="+Inf"} 4');
    expect(text).toContain('handoff_time_to_recovery_seconds_sum 1000');
  });

  it('never registers on prom-client’s global registry', async () => {
    createMetrics({ aggregates: stubAggregates(0).aggregates, contracts, stalls: () => new Map() });
    expect(await globalRegistry.metrics()).not.toContain('handoff_');
  });
});
