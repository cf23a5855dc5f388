/** Execution ingest, the rules both stores follow (monitor/src/store/rows/ingest.ts). */
import type { ExecutionRow } from '../../monitor/src/store/rows/executions';
import { ingestStep, IngestTally, timeToRecovery, toExecutionWrite } from '../../monitor/src/store/rows/ingest';
import type { ExecutionRecord } from '../../monitor/src/domain/store';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const rec = (over: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id: '500',
  handoff: 'kickoff',
  workflowId: '101',
  status: 'success',
  mode: 'webhook',
  startedAt: T0,
  stoppedAt: T0 + 2000,
  waitTill: null,
  retryOf: null,
  retrySuccessId: null,
  ...over,
});
/** The row as the store holds it after writing `r` (and whatever the collector added since). */
const row = (r: ExecutionRecord, over: Partial<ExecutionRow> = {}): ExecutionRow => ({
  ...toExecutionWrite(r),
  failed_node: null,
  error_message: null,
  recovered_at: null,
  ...over,
});
const step = (r: ExecutionRecord, previous?: ExecutionRow) => ingestStep(r, toExecutionWrite(r), previous);

describe('toExecutionWrite', () => {
  it('marks final statuses finished, and only a success of a ledger handoff as awaiting its outcome', () => {
    expect(toExecutionWrite(rec({ expectOutcome: true }))).toMatchObject({
      finished: 1,
      outcome: 'pending',
      workflow_id: '101',
      stopped_at: T0 + 2000,
    });
    expect(toExecutionWrite(rec())).toMatchObject({ finished: 1, outcome: null });
    expect(toExecutionWrite(rec({ status: 'error', expectOutcome: true }))).toMatchObject({ finished: 1, outcome: null });
    expect(toExecutionWrite(rec({ status: 'running', stoppedAt: null, expectOutcome: true }))).toMatchObject({
      finished: 0,
      outcome: null,
    });
    expect(toExecutionWrite(rec({ status: 'waiting' })).finished).toBe(0);
    expect(toExecutionWrite(rec({ status: 'canceled' })).finished).toBe(1);
  });
});

describe('ingestStep', () => {
  it('a new run that is not final is only stored; a new final one is finished, built from the record', () => {
    expect(step(rec({ status: 'running', stoppedAt: null }))).toEqual({ kind: 'stored', update: undefined });
    const s = step(rec({ expectOutcome: true }));
    expect(s).toEqual({
      kind: 'stored',
      update: undefined,
      finished: { ...rec({ expectOutcome: true }), finished: true, expectOutcome: true, failedNode: null, errorMessage: null },
      recovery: undefined,
    });
  });

  it('a stored run that becomes final is updated and finished, keeping the failure the collector already read', () => {
    const running = row(rec({ status: 'running', stoppedAt: null }), { failed_node: 'Create task', error_message: '503' });
    const done = rec({ status: 'error' });
    const s = step(done, running);
    expect(s).toMatchObject({
      kind: 'stored',
      update: toExecutionWrite(done),
      finished: { status: 'error', failedNode: 'Create task', errorMessage: '503', expectOutcome: false },
    });
    // Still running: updated, nothing finished.
    expect(step(rec({ status: 'running', stoppedAt: null, waitTill: T0 + 9000 }), running)).toEqual({
      kind: 'stored',
      update: toExecutionWrite(rec({ status: 'running', stoppedAt: null, waitTill: T0 + 9000 })),
    });
  });

  it('a run already final is never changed back or counted again; only a newly named retry success is written', () => {
    const failed = row(rec({ status: 'error' }));
    expect(step(rec({ status: 'running', stoppedAt: null }), failed)).toEqual({ kind: 'stale' });
    expect(step(rec({ status: 'error' }), failed)).toEqual({ kind: 'stale' });
    // n8n names the retry's success later; the rest of the stored row stays as it was, whatever the read says.
    const linked = step(rec({ status: 'running', retrySuccessId: '600' }), failed);
    expect(linked).toEqual({
      kind: 'retry-linked',
      update: { ...toExecutionWrite(rec({ status: 'error' })), retry_success_id: '600' },
      recovery: { failedId: '500', successId: '600' },
    });
    expect(step(rec({ status: 'error', retrySuccessId: '600' }), row(rec({ status: 'error', retrySuccessId: '600' })))).toEqual({
      kind: 'stale',
    });
  });

  it('names the pair whose recovery may now be known, from either side', () => {
    expect(step(rec({ id: '600', retryOf: '500' }))).toMatchObject({ recovery: { failedId: '500', successId: '600' } });
    expect(step(rec({ status: 'crashed', retrySuccessId: '600' }))).toMatchObject({ recovery: { failedId: '500', successId: '600' } });
    expect(step(rec({ status: 'error', retryOf: '400' }))).toMatchObject({ recovery: undefined });
    expect(step(rec({ status: 'canceled', retrySuccessId: '600' }))).toMatchObject({ recovery: undefined });
  });
});

describe('timeToRecovery', () => {
  const failed = row(rec({ status: 'error', stoppedAt: T0 }));
  const success = row(rec({ id: '600', stoppedAt: T0 + 90_000 }));
  it('is the time between the two stops, once, for a failed run and a successful retry', () => {
    expect(timeToRecovery(failed, success)).toBe(90);
    expect(timeToRecovery({ ...failed, recovered_at: T0 + 100_000 }, success)).toBeUndefined();
    expect(timeToRecovery(undefined, success)).toBeUndefined();
    expect(timeToRecovery(failed, undefined)).toBeUndefined();
    expect(timeToRecovery(failed, { ...success, status: 'error' })).toBeUndefined();
    expect(timeToRecovery({ ...failed, status: 'canceled' }, success)).toBeUndefined();
    expect(timeToRecovery({ ...failed, stopped_at: null }, success)).toBeUndefined();
    expect(timeToRecovery(failed, { ...success, stopped_at: null })).toBeUndefined();
  });
});

describe('IngestTally', () => {
  it("adds up a page: inserted and updated, what finished, what it counts and emits, and each handoff's latest start", () => {
    const tally = new IngestTally();
    const add = (r: ExecutionRecord, previous?: ExecutionRow) => tally.add(r, step(r, previous));
    add(rec({ id: '1', status: 'running', stoppedAt: null, startedAt: T0 + 5000 }));
    add(rec({ id: '2', status: 'error', startedAt: T0, stoppedAt: null }), row(rec({ id: '2', status: 'running', stoppedAt: null })));
    add(rec({ id: '3', status: 'success', startedAt: null, stoppedAt: null, handoff: 'invoice' }));
    add(rec({ id: '4', status: 'error', startedAt: T0 + 9000 }), row(rec({ id: '4', status: 'error' }))); // stale: not counted
    add(rec({ id: '5', status: 'error', retrySuccessId: '6', startedAt: T0 + 9000 }), row(rec({ id: '5', status: 'error' }))); // linked
    expect(tally.result()).toEqual({
      inserted: 2,
      updated: 2,
      newlyFinished: [expect.objectContaining({ id: '2' }), expect.objectContaining({ id: '3' })],
    });
    expect(tally.finishedRuns(T0 + 60_000)).toEqual([
      { handoff: 'kickoff', status: 'error', at: T0 },
      { handoff: 'invoice', status: 'success', at: T0 + 60_000 },
    ]);
    expect(tally.failedEvents(T0 + 60_000)).toEqual([expect.objectContaining({ handoff: 'kickoff', executionId: '2', at: T0 + 60_000 })]);
    expect(tally.latestRuns()).toEqual([['kickoff', T0 + 5000]]);
  });
});
