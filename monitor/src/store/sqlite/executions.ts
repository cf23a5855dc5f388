/**
 * n8n executions on SQLite. Upserts by execution id: the collector may read the same page twice
 * (after an outage, or because running runs re-appear finished) and nothing is counted twice —
 * a run is counted once, in the upsert transaction, the first time it is stored with a final status.
 */
import { isFailed, isFinal } from '../../domain/metric-definitions';
import type { ExecutionRecord, ExecutionStore, IngestResult, StoredExecution } from '../../domain/store';
import type { AggregateWriters, FinishedRun } from './aggregates';
import type { SqliteDb } from './open';
import { prepareAppendEvent } from './incidents';
import { executionFailedEvent } from '../../outcomes/signals';
import { type ExecutionRow, fromExecutionRow } from '../rows/executions';

export function createSqliteExecutions(db: SqliteDb, writers: AggregateWriters): ExecutionStore {
  const select = db.prepare<[string], ExecutionRow>('SELECT * FROM executions WHERE id = ?');
  const insert = db.prepare(`
    INSERT INTO executions (id, handoff, workflow_id, status, finished, mode, started_at, stopped_at, wait_till,
      retry_of, retry_success_id, outcome, seen_at, updated_at)
    VALUES (@id, @handoff, @workflowId, @status, @finished, @mode, @startedAt, @stoppedAt, @waitTill,
      @retryOf, @retrySuccessId, @outcome, @now, @now)
    ON CONFLICT (id) DO NOTHING`);
  const update = db.prepare(`
    UPDATE executions SET status = @status, finished = @finished, mode = @mode, started_at = @startedAt,
      stopped_at = @stoppedAt, wait_till = @waitTill, retry_of = @retryOf, retry_success_id = @retrySuccessId,
      outcome = @outcome, updated_at = @now
    WHERE id = @id`);
  const appendEvent = prepareAppendEvent(db);
  const markRecovered = db.prepare('UPDATE executions SET recovered_at = ? WHERE id = ?');
  const bumpActivity = db.prepare(`
    INSERT INTO handoff_activity (handoff, last_run_at, watching_since) VALUES (?, ?, ?)
    ON CONFLICT (handoff) DO UPDATE SET last_run_at = max(coalesce(last_run_at, 0), excluded.last_run_at)`);
  const unfinished = db.prepare<[number], ExecutionRow>('SELECT * FROM executions WHERE finished = 0 ORDER BY started_at LIMIT ?');
  const forget = db.prepare('DELETE FROM executions WHERE id = ? AND finished = 0');
  const setFailure = db.prepare('UPDATE executions SET failed_node = coalesce(?, failed_node), error_message = coalesce(?, error_message) WHERE id = ?');
  const stateGet = db.prepare<[string], { value: string }>('SELECT value FROM collector_state WHERE name = ?');
  const stateSet = db.prepare('INSERT INTO collector_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');

  /** Failed run → its retry's success: time to recovery, observed once per failed run. */
  const recover = (failed: ExecutionRow, successStoppedAt: number | null, now: number) => {
    if (failed.recovered_at !== null || failed.stopped_at === null || successStoppedAt === null) return;
    if (!isFailed(failed.status)) return;
    markRecovered.run(now, failed.id);
    writers.observe('time_to_recovery', failed.handoff, (successStoppedAt - failed.stopped_at) / 1000);
  };

  const upsertTx = db.transaction((records: ExecutionRecord[], now: number): IngestResult => {
    let inserted = 0;
    let updated = 0;
    const newlyFinished: StoredExecution[] = [];
    const finishedRuns: FinishedRun[] = [];
    const lastRun = new Map<string, number>();
    for (const rec of records) {
      const final = isFinal(rec.status);
      const params = {
        ...rec,
        finished: final ? 1 : 0,
        outcome: final && rec.status === 'success' && rec.expectOutcome ? 'pending' : null,
        now,
      };
      let previous: ExecutionRow | undefined;
      if (insert.run(params).changes === 1) {
        inserted++;
      } else {
        previous = select.get(rec.id);
        if (!previous) continue;
        // A final status never changes back: a stale read of a run we already saw finish is ignored,
        // except for retry_success_id, which n8n sets later on the failed run.
        if (previous.finished === 1) {
          if (rec.retrySuccessId && rec.retrySuccessId !== previous.retry_success_id) {
            update.run({ ...params, ...fromStored(previous), retrySuccessId: rec.retrySuccessId, now });
            updated++;
            const success = select.get(rec.retrySuccessId);
            if (success?.status === 'success') recover(previous, success.stopped_at, now);
          }
          continue;
        }
        update.run(params);
        updated++;
      }
      if (rec.startedAt !== null) lastRun.set(rec.handoff, Math.max(lastRun.get(rec.handoff) ?? 0, rec.startedAt));
      if (!final) continue;
      // Built from what was just written (no read back): only the failure columns are kept from before.
      const stored: StoredExecution = {
        ...rec,
        finished: true,
        expectOutcome: params.outcome !== null,
        failedNode: previous?.failed_node ?? null,
        errorMessage: previous?.error_message ?? null,
      };
      newlyFinished.push(stored);
      // A failed run fails every pair that ran in it (the outcome fold finds them by execution id).
      if (isFailed(rec.status)) appendEvent(executionFailedEvent(rec, now));
      finishedRuns.push({ handoff: rec.handoff, status: rec.status, at: rec.stoppedAt ?? rec.startedAt ?? now });
      if (rec.status === 'success' && rec.retryOf) {
        const failed = select.get(rec.retryOf);
        if (failed) recover(failed, rec.stoppedAt, now);
      } else if (isFailed(rec.status) && rec.retrySuccessId) {
        const success = select.get(rec.retrySuccessId);
        if (success?.status === 'success') recover(select.get(rec.id)!, success.stopped_at, now);
      }
    }
    writers.countFinished(finishedRuns);
    for (const [handoff, at] of lastRun) bumpActivity.run(handoff, at, now);
    return { inserted, updated, newlyFinished };
  });

  const forgetTx = db.transaction((ids: string[]) => {
    for (const id of ids) forget.run(id);
  });

  return {
    async upsert(records, now) {
      return upsertTx.immediate(records, now);
    },
    async get(id) {
      const row = select.get(id);
      return row && fromExecutionRow(row);
    },
    async unfinished(limit) {
      return unfinished.all(limit).map(fromExecutionRow);
    },
    async forget(ids) {
      forgetTx.immediate(ids);
    },
    async setFailure(id, failure) {
      setFailure.run(failure.node ?? null, failure.message ?? null, id);
    },
    async watermark() {
      return stateGet.get('watermark')?.value;
    },
    async setWatermark(value) {
      stateSet.run('watermark', value);
    },
  };
}

/** The stored columns as upsert parameters, for updates that must keep them as they are. */
function fromStored(r: ExecutionRow) {
  return {
    id: r.id,
    status: r.status,
    finished: r.finished,
    mode: r.mode,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    waitTill: r.wait_till,
    retryOf: r.retry_of,
    outcome: r.outcome,
  };
}
