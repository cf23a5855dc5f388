/**
 * Execution ingest, the rules both stores follow when the collector hands them a page of n8n runs:
 * what a run's row holds, which runs are new or newly final, what a final run counts and emits, and
 * when a failed run's time to recovery is known. The stores upsert by execution id and read back
 * what the rules ask for; a run is counted once, the first time it is stored with a final status.
 */
import { isFailed, isFinal } from '../../domain/metric-definitions';
import { executionFailedEvent } from '../../outcomes/signals';
import type { ExecutionRecord, HandoffEvent, IngestResult, StoredExecution } from '../../domain/store';
import type { ExecutionRow } from './executions';
import type { FinishedRun } from './windows';

/** The columns an upsert writes, as the executions table names them. */
export type ExecutionWrite = Pick<
  ExecutionRow,
  | 'id'
  | 'handoff'
  | 'workflow_id'
  | 'status'
  | 'finished'
  | 'mode'
  | 'started_at'
  | 'stopped_at'
  | 'wait_till'
  | 'retry_of'
  | 'retry_success_id'
  | 'outcome'
>;

export function toExecutionWrite(rec: ExecutionRecord): ExecutionWrite {
  const final = isFinal(rec.status);
  return {
    id: rec.id,
    handoff: rec.handoff,
    workflow_id: rec.workflowId,
    status: rec.status,
    finished: final ? 1 : 0,
    mode: rec.mode,
    started_at: rec.startedAt,
    stopped_at: rec.stoppedAt,
    wait_till: rec.waitTill,
    retry_of: rec.retryOf,
    retry_success_id: rec.retrySuccessId,
    // A success of a handoff that uses the ledger waits for its completed claim (stall detector c).
    outcome: final && rec.status === 'success' && rec.expectOutcome ? 'pending' : null,
  };
}

/** The stored row's written columns, for an update that must keep them as they are. */
const writeOf = (r: ExecutionRow): ExecutionWrite => ({
  id: r.id,
  handoff: r.handoff,
  workflow_id: r.workflow_id,
  status: r.status,
  finished: r.finished,
  mode: r.mode,
  started_at: r.started_at,
  stopped_at: r.stopped_at,
  wait_till: r.wait_till,
  retry_of: r.retry_of,
  retry_success_id: r.retry_success_id,
  outcome: r.outcome,
});

/** A failed run and its retry's success: once both are stored, the failed run's time to recovery is known. */
export interface RecoveryPair {
  failedId: string;
  successId: string;
}

/** What one fetched run means for the store. */
export type IngestStep =
  /** A run we already saw finish, read again: a final status never changes back, so nothing is written. */
  | { kind: 'stale' }
  /** A run we already saw finish, to which n8n has since added its retry's success: only that column changes. */
  | { kind: 'retry-linked'; update: ExecutionWrite; recovery: RecoveryPair }
  /** A new run, or a change to one not yet final: `update` when the row existed, `finished` when it is final now. */
  | { kind: 'stored'; update?: ExecutionWrite; finished?: StoredExecution; recovery?: RecoveryPair };

/**
 * `write` is toExecutionWrite(rec); `previous` is the row as it was before this upsert, or undefined
 * when the insert has just stored the run for the first time.
 */
export function ingestStep(rec: ExecutionRecord, write: ExecutionWrite, previous: ExecutionRow | undefined): IngestStep {
  if (previous?.finished === 1) {
    // n8n sets retry_success_id on the failed run later, when its retry succeeds.
    if (rec.retrySuccessId && rec.retrySuccessId !== previous.retry_success_id) {
      return {
        kind: 'retry-linked',
        update: { ...writeOf(previous), retry_success_id: rec.retrySuccessId },
        recovery: { failedId: previous.id, successId: rec.retrySuccessId },
      };
    }
    return { kind: 'stale' };
  }
  const update = previous ? write : undefined;
  if (write.finished === 0) return { kind: 'stored', update };
  // Built from what was just written (no read back): only the failure columns are kept from before.
  const finished: StoredExecution = {
    ...rec,
    finished: true,
    expectOutcome: write.outcome !== null,
    failedNode: previous?.failed_node ?? null,
    errorMessage: previous?.error_message ?? null,
  };
  const recovery =
    rec.status === 'success' && rec.retryOf
      ? { failedId: rec.retryOf, successId: rec.id }
      : isFailed(rec.status) && rec.retrySuccessId
        ? { failedId: rec.id, successId: rec.retrySuccessId }
        : undefined;
  return { kind: 'stored', update, finished, recovery };
}

/**
 * Seconds from a failed run's stop to its retry's success's stop, when that is now known and not yet
 * observed: each failed run is measured once, whichever of the two arrives first.
 */
export function timeToRecovery(failed: ExecutionRow | undefined, success: ExecutionRow | undefined): number | undefined {
  if (!failed || success?.status !== 'success') return undefined;
  if (failed.recovered_at !== null || failed.stopped_at === null || success.stopped_at === null) return undefined;
  if (!isFailed(failed.status)) return undefined;
  return (success.stopped_at - failed.stopped_at) / 1000;
}

/** A page's steps added up: what the upsert returns, what it counts and emits, and each handoff's latest run. */
export class IngestTally {
  private inserted = 0;
  private updated = 0;
  private readonly finished: StoredExecution[] = [];
  private readonly lastRun = new Map<string, number>();

  add(rec: ExecutionRecord, step: IngestStep): void {
    if (step.kind === 'stale') return;
    if (step.kind === 'retry-linked' || step.update) this.updated++;
    else this.inserted++;
    if (step.kind === 'retry-linked') return;
    if (rec.startedAt !== null) this.lastRun.set(rec.handoff, Math.max(this.lastRun.get(rec.handoff) ?? 0, rec.startedAt));
    if (step.finished) this.finished.push(step.finished);
  }

  result(): IngestResult {
    return { inserted: this.inserted, updated: this.updated, newlyFinished: this.finished };
  }

  /** Each newly final run counts toward the time it stopped (or started, or now when n8n gave neither). */
  finishedRuns(now: number): FinishedRun[] {
    return this.finished.map((r) => ({ handoff: r.handoff, status: r.status, at: r.stoppedAt ?? r.startedAt ?? now }));
  }

  /** A failed run fails every pair that ran in it (the outcome fold finds them by execution id). */
  failedEvents(now: number): HandoffEvent[] {
    return this.finished.filter((r) => isFailed(r.status)).map((r) => executionFailedEvent(r, now));
  }

  /** Each handoff's latest run start in the page, for handoff_activity. */
  latestRuns(): [handoff: string, startedAt: number][] {
    return [...this.lastRun];
  }
}
