/**
 * The dashboard's reads, called directly on SQLite and on Postgres: trend buckets, last success per
 * handoff, unresolved and recent incidents, completed claims to trace, pending alerts — same answers on both.
 */
import type { IncidentReport } from '../../monitor/src/domain/incidents';
import type { ExecutionRecord, MonitorStore } from '../../monitor/src/domain/store';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T09:00:30Z');

let seq = 0;
const run = (over: Partial<ExecutionRecord>): ExecutionRecord => ({
  id: `d${++seq}`,
  handoff: 'kickoff',
  workflowId: '101',
  status: 'success',
  mode: 'webhook',
  startedAt: T0,
  stoppedAt: T0,
  waitTill: null,
  retryOf: null,
  retrySuccessId: null,
  ...over,
});
const report = (over: Partial<IncidentReport>): IncidentReport => ({
  handoff: 'kickoff',
  dedupKey: `k${++seq}`,
  title: 'Task board down',
  severity: 'high',
  owner: { name: 'Dana Ops' },
  ownerSource: 'handoff',
  slaMs: 48 * H,
  ...over,
});

describe.each(storeKinds)('dashboard reads on %s', (kind) => {
  let s: OpenedStore;
  let store: MonitorStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
    store = s.store;
  });
  afterEach(async () => {
    await s.close();
  });

  it('reads hourly run buckets from a point in time, oldest first', async () => {
    await store.executions.upsert(
      [
        run({ stoppedAt: T0 - 30 * H }),
        run({ stoppedAt: T0 - 2 * H, status: 'error' }),
        run({ stoppedAt: T0 - 2 * H }),
        run({ stoppedAt: T0, handoff: 'invoice' }),
      ],
      T0,
    );
    const since = Math.floor((T0 - 23 * H) / H) * H;
    expect(await store.dashboard.runBuckets(H, since)).toEqual([
      { handoff: 'kickoff', bucket: Math.floor((T0 - 2 * H) / H) * H, runs: 2, failed: 1 },
      { handoff: 'invoice', bucket: Math.floor(T0 / H) * H, runs: 1, failed: 0 },
    ]);
  });

  it('finds the latest success per named handoff and leaves out handoffs without one', async () => {
    await store.executions.upsert(
      [
        run({ stoppedAt: T0 - 3 * H }),
        run({ stoppedAt: T0 - H }),
        run({ stoppedAt: T0, status: 'error' }),
        run({ handoff: 'invoice', status: 'crashed', stoppedAt: T0 }),
        run({ handoff: 'other', stoppedAt: T0 }),
      ],
      T0,
    );
    const rows = await store.dashboard.lastSuccess(['kickoff', 'invoice', 'missing']);
    expect(rows).toEqual([{ handoff: 'kickoff', at: T0 - H }]);
    expect(await store.dashboard.lastSuccess([])).toEqual([]);
  });

  it('lists unresolved incidents and those seen since a time, newest first', async () => {
    const old = await store.incidents.report(report({ title: 'old and resolved' }), T0 - 72 * H);
    await store.incidents.transition(old.incident.id, 'resolve', T0 - 71 * H);
    const acked = await store.incidents.report(report({ title: 'acked' }), T0 - 50 * H);
    await store.incidents.transition(acked.incident.id, 'ack', T0 - 49 * H);
    const recentResolved = await store.incidents.report(report({ title: 'recent, resolved' }), T0 - 10 * H);
    await store.incidents.transition(recentResolved.incident.id, 'resolve', T0 - 9 * H);
    await store.incidents.report(report({ title: 'open now' }), T0 - H);

    expect((await store.dashboard.unresolvedIncidents(10)).map((i) => i.title)).toEqual(['open now', 'acked']);
    expect((await store.dashboard.unresolvedIncidents(1)).map((i) => i.title)).toEqual(['open now']);
    expect((await store.dashboard.incidentsSeenSince(T0 - 48 * H, 10)).map((i) => [i.title, i.state])).toEqual([
      ['open now', 'open'],
      ['recent, resolved', 'resolved'],
    ]);
  });

  it('returns the latest completed claims to trace, and counts pending alerts', async () => {
    await store.ledger.claim(
      { handoff: 'kickoff', leaseMs: 15 * M, executionId: '7', items: [{ key: 'deal-1' }, { key: 'deal-2' }, { key: 'deal-3' }] },
      T0,
    );
    await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['deal-2'] }, T0 + M);
    await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['deal-1'] }, T0 + 2 * M);
    expect(await store.dashboard.recentCompletions(5)).toEqual([
      { handoff: 'kickoff', key: 'deal-1', attempt: 1, claimedAt: T0, completedAt: T0 + 2 * M, executionId: '7' },
      { handoff: 'kickoff', key: 'deal-2', attempt: 1, claimedAt: T0, completedAt: T0 + M, executionId: '7' },
    ]);
    expect(await store.dashboard.pendingAlerts()).toBe(0);
    const opened = await store.incidents.report(report({}), T0);
    await store.incidents.report(report({}), T0);
    expect(await store.dashboard.pendingAlerts()).toBe(2);
    const [first] = await store.incidents.outbox.due(T0 + H, 10);
    await store.incidents.outbox.markSent(first.id, T0 + H, 1);
    expect(await store.dashboard.pendingAlerts()).toBe(1);
    expect(opened.incident.id).toBeGreaterThan(0);
  });
});
