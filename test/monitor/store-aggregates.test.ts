/**
 * Executions, aggregates and stall inputs, called directly on SQLite and on Postgres: a run counted
 * once, windows that roll, histograms, recovery, the detectors' queries — the same answers on both.
 */
import type { ExecutionRecord, MonitorStore } from '../../monitor/src/domain/store';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

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

describe.each(storeKinds)('executions and aggregates on %s', (kind) => {
  let s: OpenedStore;
  let store: MonitorStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
    store = s.store;
  });
  afterEach(async () => {
    await s.close();
  });

  it('counts a run once, when it first reaches a final status, however often it is upserted', async () => {
    const r = run({ status: 'running', stoppedAt: null });
    expect(await store.executions.upsert([r], T0)).toEqual({ inserted: 1, updated: 0, newlyFinished: [] });
    const done = { ...r, status: 'error', stoppedAt: T0 + M };
    expect((await store.executions.upsert([done], T0 + M)).newlyFinished).toEqual([
      expect.objectContaining({ id: r.id, status: 'error', finished: true, stoppedAt: T0 + M, failedNode: null, expectOutcome: false }),
    ]);
    expect(await store.executions.upsert([done, done], T0 + 2 * M)).toEqual({ inserted: 0, updated: 0, newlyFinished: [] });
    await store.executions.upsert([r], T0 + 3 * M); // a stale read never un-finishes it
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

  it('keeps a late run out of windows it is already older than; a first advance sums what came before', async () => {
    await store.executions.upsert([run({ status: 'crashed' }), run({})], T0);
    await store.aggregates.advance(T0 + 2 * H);
    expect(await window(store, '7d')).toEqual([1, 2]);
    await store.executions.upsert([run({ status: 'error', stoppedAt: T0 })], T0 + 2 * H);
    expect(await window(store, '1h')).toEqual([0, 0]);
    expect(await window(store, '24h')).toEqual([2, 3]);
    // The next advance neither counts it again nor drops it.
    await store.aggregates.advance(T0 + 2 * H + 5 * M);
    expect(await window(store, '24h')).toEqual([2, 3]);
  });

  it("a run older than a resolution's retention adds no bucket of it, as a pair does not (one grouping for both series)", async () => {
    await store.aggregates.advance(T0 + 2 * H);
    // Stopped two hours before `now`: past the 61 minutes one-minute buckets are kept, inside the hourly ones' 169 hours.
    await store.executions.upsert([run({ status: 'error', stoppedAt: T0 })], T0 + 2 * H);
    expect(await store.dashboard.runBuckets(M, 0)).toEqual([]);
    expect(await store.dashboard.runBuckets(H, 0)).toEqual([{ handoff: 'kickoff', bucket: Math.floor(T0 / H) * H, runs: 1, failed: 1 }]);
    expect(await window(store, '1h')).toEqual([0, 0]);
    expect(await window(store, '24h')).toEqual([1, 1]);
  });

  it('keeps histograms per handoff with one slot per bound plus +Inf, and folds each resolved incident once', async () => {
    await store.aggregates.observe('time_to_detection', 'kickoff', 3);
    await store.aggregates.observe('time_to_detection', 'kickoff', 1e9);
    const { incident } = await store.incidents.report(
      { handoff: 'kickoff', dedupKey: 'k', title: 't', severity: 'high', owner: { name: 'Dana' }, ownerSource: 'handoff', slaMs: H },
      T0,
    );
    await store.incidents.transition(incident.id, 'resolve', T0 + 20 * M);
    expect(await store.aggregates.foldResolvedIncidents()).toBe(1);
    expect(await store.aggregates.foldResolvedIncidents()).toBe(0);
    const histograms = (await store.aggregates.snapshot()).histograms.sort((a, b) => a.metric.localeCompare(b.metric));
    expect(histograms).toEqual([
      { metric: 'time_to_detection', handoff: 'kickoff', counts: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1], sum: 1e9 + 3, count: 2 },
      { metric: 'time_to_recovery', handoff: 'kickoff', counts: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], sum: 1_200, count: 1 },
    ]);
  });

  it('observes time to recovery once when a failed run is retried successfully, whichever side arrives first', async () => {
    const failed = run({ status: 'error', stoppedAt: T0 });
    const retry = run({ status: 'success', stoppedAt: T0 + 5 * M, retryOf: failed.id });
    await store.executions.upsert([failed], T0);
    await store.executions.upsert([retry], T0 + 5 * M);
    await store.executions.upsert([{ ...failed, retrySuccessId: retry.id }], T0 + 6 * M);
    const late = run({ status: 'crashed', stoppedAt: T0 });
    const lateRetry = run({ status: 'success', stoppedAt: T0 + 2 * M });
    await store.executions.upsert([lateRetry], T0 + 2 * M);
    await store.executions.upsert([{ ...late, retrySuccessId: lateRetry.id }], T0 + 3 * M);
    const [h] = (await store.aggregates.snapshot()).histograms;
    expect(h).toMatchObject({ metric: 'time_to_recovery', count: 2, sum: 300 + 120 });
  });

  it('keeps the collector state: unfinished runs, forget, failing node, watermark', async () => {
    expect(await store.executions.watermark()).toBeUndefined();
    await store.executions.setWatermark('41');
    await store.executions.setWatermark('42');
    expect(await store.executions.watermark()).toBe('42');
    const waiting = run({ status: 'waiting', startedAt: T0 + 1, stoppedAt: null, waitTill: T0 + H });
    const running = run({ status: 'running', startedAt: T0, stoppedAt: null });
    const failed = run({ status: 'error' });
    await store.executions.upsert([waiting, running, failed], T0);
    expect((await store.executions.unfinished(10)).map((e) => e.id)).toEqual([running.id, waiting.id]);
    await store.executions.forget([running.id, failed.id]); // a finished run is never forgotten
    expect((await store.executions.unfinished(10)).map((e) => e.id)).toEqual([waiting.id]);
    expect(await store.executions.get(failed.id)).toBeDefined();
    await store.executions.setFailure(failed.id, { node: 'Create project', message: '503' });
    await store.executions.setFailure(failed.id, { message: 'second look' });
    expect(await store.executions.get(failed.id)).toMatchObject({ failedNode: 'Create project', errorMessage: 'second look' });
  });

  it('answers the stall detectors: open claims, successes awaiting their outcome, activity', async () => {
    await store.ledger.claim({ handoff: 'kickoff', leaseMs: 10 * M, executionId: '900', items: [{ key: 'b' }] }, T0 + M);
    await store.ledger.claim({ handoff: 'kickoff', leaseMs: 10 * M, executionId: '901', items: [{ key: 'a' }, { key: 'done' }] }, T0);
    await store.ledger.settle('complete', { handoff: 'kickoff', keys: ['done'] }, T0);
    expect(await store.stalls.openClaims(10)).toEqual([
      { handoff: 'kickoff', key: 'a', claimedAt: T0, leaseExpiresAt: T0 + 10 * M, executionId: '901' },
      { handoff: 'kickoff', key: 'b', claimedAt: T0 + M, leaseExpiresAt: T0 + 11 * M, executionId: '900' },
    ]);

    const completes = run({ id: '901', expectOutcome: true, stoppedAt: T0 + M });
    const silent = run({ id: '902', expectOutcome: true, stoppedAt: T0 + 2 * M, startedAt: T0 + 2 * M });
    await store.executions.upsert([completes, silent, run({ id: '903', stoppedAt: T0 })], T0 + 2 * M);
    expect(await store.stalls.awaitingOutcome('kickoff', T0 + 5 * M, 10)).toEqual([
      { id: '901', handoff: 'kickoff', workflowId: '101', stoppedAt: T0 + M, completed: true, missing: false },
      { id: '902', handoff: 'kickoff', workflowId: '101', stoppedAt: T0 + 2 * M, completed: false, missing: false },
    ]);
    await store.stalls.settleOutcomes([
      { id: '901', outcome: 'ok' },
      { id: '902', outcome: 'expired' },
      { id: '902', outcome: 'missing' },
    ]);
    expect(await store.stalls.awaitingOutcome('kickoff', T0 + 5 * M, 10)).toEqual([expect.objectContaining({ id: '902', missing: true })]);

    await store.stalls.watch(['kickoff', 'quiet', 'quiet'], T0 + 3 * M);
    await store.stalls.watch(['quiet'], T0 + 4 * M);
    const activity = (await store.stalls.activity()).sort((a, b) => a.handoff.localeCompare(b.handoff));
    expect(activity).toEqual([
      { handoff: 'kickoff', lastRunAt: T0 + 2 * M, watchingSince: T0 + 2 * M },
      { handoff: 'quiet', lastRunAt: null, watchingSince: T0 + 3 * M },
    ]);
  });
});
