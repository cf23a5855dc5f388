/** Incremental aggregates on an in-memory SQLite store: counted once, windows that roll, histograms. */
import { createSqliteStore } from '../../monitor/src/store/sqlite';
import type { ExecutionRecord, MonitorStore } from '../../monitor/src/domain/store';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T09:00:30Z');

let seq = 0;
const run = (over: Partial<ExecutionRecord>): ExecutionRecord => ({
  id: String(++seq),
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
const window = async (store: MonitorStore, span: string) => {
  const w = (await store.aggregates.snapshot()).windows.find((x) => x.handoff === 'kickoff' && x.span === span);
  return w ? [w.failed, w.runs] : [0, 0];
};

describe('aggregates', () => {
  let store: MonitorStore;
  beforeEach(() => {
    store = createSqliteStore(':memory:', { retentionMs: 30 * 24 * H });
  });
  afterEach(() => store.close());

  it('counts a run once, when it first reaches a final status, however often it is upserted', async () => {
    const r = run({ status: 'running', stoppedAt: null });
    expect((await store.executions.upsert([r], T0)).newlyFinished).toHaveLength(0);
    const done = { ...r, status: 'error', stoppedAt: T0 + M };
    expect((await store.executions.upsert([done], T0 + M)).newlyFinished).toHaveLength(1);
    expect((await store.executions.upsert([done, done], T0 + 2 * M)).newlyFinished).toHaveLength(0);
    // A stale read (running again) never un-finishes it.
    await store.executions.upsert([r], T0 + 3 * M);
    expect((await store.executions.get(r.id))?.status).toBe('error');
    expect((await store.aggregates.snapshot()).executions).toEqual([{ handoff: 'kickoff', status: 'error', count: 1 }]);
  });

  it('rolls the 1h, 24h and 7d windows forward by subtracting aged buckets', async () => {
    await store.aggregates.advance(T0);
    await store.executions.upsert([run({ status: 'error' }), run({}), run({}), run({})], T0);
    expect(await window(store, '1h')).toEqual([1, 4]);

    await store.aggregates.advance(T0 + 30 * M);
    await store.executions.upsert([run({ stoppedAt: T0 + 30 * M })], T0 + 30 * M);
    expect(await window(store, '1h')).toEqual([1, 5]);

    // 60 minute-buckets later the first four runs leave the 1h window but stay in 24h and 7d.
    await store.aggregates.advance(T0 + 61 * M);
    expect(await window(store, '1h')).toEqual([0, 1]);
    expect(await window(store, '24h')).toEqual([1, 5]);

    await store.aggregates.advance(T0 + 25 * H);
    expect(await window(store, '1h')).toEqual([0, 0]);
    expect(await window(store, '24h')).toEqual([0, 0]);
    expect(await window(store, '7d')).toEqual([1, 5]);

    await store.aggregates.advance(T0 + 8 * 24 * H);
    expect(await window(store, '7d')).toEqual([0, 0]);
  });

  it('keeps a late run (caught up after an outage) out of windows it is already older than', async () => {
    await store.aggregates.advance(T0 + 2 * H);
    await store.executions.upsert([run({ status: 'error', stoppedAt: T0 })], T0 + 2 * H);
    expect(await window(store, '1h')).toEqual([0, 0]);
    expect(await window(store, '24h')).toEqual([1, 1]);
    await store.aggregates.advance(T0 + 2 * H + 5 * M);
    expect(await window(store, '24h')).toEqual([1, 1]);
  });

  it('a first advance sums what was ingested before it', async () => {
    await store.executions.upsert([run({ status: 'crashed' }), run({})], T0);
    await store.aggregates.advance(T0 + M);
    expect(await window(store, '7d')).toEqual([1, 2]);
  });

  it('keeps histograms per handoff with one slot per bound plus +Inf', async () => {
    await store.aggregates.observe('time_to_detection', 'kickoff', 3);
    await store.aggregates.observe('time_to_detection', 'kickoff', 1e9);
    const [h] = (await store.aggregates.snapshot()).histograms;
    expect(h).toMatchObject({ metric: 'time_to_detection', handoff: 'kickoff', sum: 1e9 + 3, count: 2 });
    expect(h.counts[1]).toBe(1);
    expect(h.counts[h.counts.length - 1]).toBe(1);
  });

  it('folds each resolved incident into time to recovery once', async () => {
    const { incident } = await store.incidents.report(
      { handoff: 'kickoff', dedupKey: 'k', title: 't', severity: 'high', owner: { name: 'Dana' }, ownerSource: 'handoff', slaMs: H },
      T0,
    );
    await store.incidents.transition(incident.id, 'resolve', T0 + 20 * M);
    expect(await store.aggregates.foldResolvedIncidents()).toBe(1);
    expect(await store.aggregates.foldResolvedIncidents()).toBe(0);
    const [h] = (await store.aggregates.snapshot()).histograms;
    expect(h).toMatchObject({ metric: 'time_to_recovery', sum: 1_200, count: 1 });
  });
});
