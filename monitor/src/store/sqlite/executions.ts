/**
 * n8n executions on SQLite. Upserts by execution id: the collector may read the same page twice
 * (after an outage, or because running runs re-appear finished) and nothing is counted twice —
 * a run is counted once, in the upsert transaction, the first time it is stored with a final status.
 */
import type { ExecutionRecord, ExecutionStore, IngestResult } from '../../domain/store';
import type { AggregateWriters } from './aggregates';
import type { SqliteDb } from './open';
import { prepareAppendEvent } from './incidents';
import { type ExecutionRow, fromExecutionRow } from '../rows/executions';
import { ingestStep, IngestTally, type RecoveryPair, timeToRecovery, toExecutionWrite } from '../rows/ingest';

export function createSqliteExecutions(db: SqliteDb, writers: AggregateWriters): ExecutionStore {
  const select = db.prepare<[string], ExecutionRow>('SELECT * FROM executions WHERE id = ?');
  const insert = db.prepare(`
    INSERT INTO executions (id, handoff, workflow_id, status, finished, mode, started_at, stopped_at, wait_till,
      retry_of, retry_success_id, outcome, seen_at, updated_at)
    VALUES (@id, @handoff, @workflow_id, @status, @finished, @mode, @started_at, @stopped_at, @wait_till,
      @retry_of, @retry_success_id, @outcome, @now, @now)
    ON CONFLICT (id) DO NOTHING`);
  const update = db.prepare(`
    UPDATE executions SET status = @status, finished = @finished, mode = @mode, started_at = @started_at,
      stopped_at = @stopped_at, wait_till = @wait_till, retry_of = @retry_of, retry_success_id = @retry_success_id,
      outcome = @outcome, updated_at = @now
    WHERE id = @id`);
  const appendEvent = prepareAppendEvent(db);
  const markRecovered = db.prepare('UPDATE executions SET recovered_at = ? WHERE id = ?');
  const bumpActivity = db.prepare(`
    INSERT INTO handoff_activity (handoff, last_run_at, watching_since) VALUES (?, ?, ?)
    ON CONFLICT (handoff) DO UPDATE SET last_run_at = max(coalesce(last_run_at, 0), excluded.last_run_at)`);
  const unfinished = db.prepare<[number], ExecutionRow>('SELECT * FROM executions WHERE finished = 0 ORDER BY started_at LIMIT ?');
  const forget = db.prepare('DELETE FROM executions WHERE id = ? AND finished = 0');
  const setFailure = db.prepare(
    'UPDATE executions SET failed_node = coalesce(?, failed_node), error_message = coalesce(?, error_message) WHERE id = ?',
  );
  const stateGet = db.prepare<[string], { value: string }>('SELECT value FROM collector_state WHERE name = ?');
  const stateSet = db.prepare(
    'INSERT INTO collector_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  );

  /** Failed run → its retry's success: time to recovery, observed once per failed run (rows/ingest.ts). */
  const recover = (pair: RecoveryPair, now: number) => {
    const failed = select.get(pair.failedId);
    const seconds = timeToRecovery(failed, select.get(pair.successId));
    if (seconds === undefined) return;
    markRecovered.run(now, failed!.id);
    writers.observe('time_to_recovery', failed!.handoff, seconds);
  };

  const upsertTx = db.transaction((records: ExecutionRecord[], now: number): IngestResult => {
    const tally = new IngestTally();
    for (const rec of records) {
      const write = toExecutionWrite(rec);
      let previous: ExecutionRow | undefined;
      if (insert.run({ ...write, now }).changes === 0) {
        previous = select.get(rec.id);
        if (!previous) continue;
      }
      const step = ingestStep(rec, write, previous);
      if (step.kind === 'stale') continue;
      if (step.update) update.run({ ...step.update, now });
      tally.add(rec, step);
      if (step.recovery) recover(step.recovery, now);
    }
    for (const event of tally.failedEvents(now)) appendEvent(event);
    writers.countFinished(tally.finishedRuns(now), now);
    for (const [handoff, at] of tally.latestRuns()) bumpActivity.run(handoff, at, now);
    return tally.result();
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
