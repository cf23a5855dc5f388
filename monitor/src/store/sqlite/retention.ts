/**
 * Retention on SQLite: each call deletes one small batch in one IMMEDIATE transaction, walking the
 * table's age index from the cursor on, so the write lock (and this process's event loop, since
 * better-sqlite3 is synchronous) is held for a few milliseconds at a time. What is kept and why:
 * domain/store.ts RetentionStore.
 *
 * A purge writes far more pages than claims do, so on this connection it would keep crossing the WAL's
 * autocheckpoint, and the commit that crosses it copies the WAL into the database and syncs both
 * files on the event loop (15–25 ms measured on an idle disk, over 100 ms on a busy one). While a purge
 * runs, the connection's autocheckpoint is off and a worker thread with its own connection checkpoints
 * (PASSIVE: never in the writer's way) after each batch; a few seconds after the last batch the worker
 * checkpoints once more and the connection's own autocheckpoint is back.
 */
import { Worker } from 'worker_threads';
import type { PurgeBatch, PurgeTable, RetentionStore } from '../../domain/store';
import type { SqliteDb } from './open';

/** The worker's script: one connection, a PASSIVE checkpoint per message, 'done' after each. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
parentPort.on('message', () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { /* the next batch asks again */ }
  parentPort.postMessage('done');
});
`;
/** After the last batch, how long the worker waits for another before handing checkpoints back. */
const IDLE_MS = 2_000;

/** Checkpoints off the event loop while purges run; a no-op for an in-memory database. */
function backgroundCheckpoints(db: SqliteDb) {
  const file = db.name;
  const usable = !db.memory && !db.readonly && file !== '' && file !== ':memory:';
  let worker: Worker | undefined;
  let busy = false;
  let idle: NodeJS.Timeout | undefined;
  /** The connection's own autocheckpoint, to hand back once no worker checkpoints for it. */
  let saved: number | undefined;
  const handBack = () => {
    if (worker || saved === undefined) return;
    if (db.open) db.pragma(`wal_autocheckpoint = ${saved}`);
    saved = undefined;
  };
  const stop = () => {
    const w = worker;
    worker = undefined;
    if (!w) return;
    // One last checkpoint by the worker, then the connection checkpoints for itself again.
    const finish = () => {
      handBack();
      void w.terminate();
    };
    w.once('message', finish);
    w.once('error', finish);
    w.postMessage('checkpoint');
  };
  return {
    /** After each batch: the worker checkpoints what the batches wrote so far. */
    afterBatch() {
      if (!usable || !db.open) return;
      if (!worker) {
        saved ??= Number(db.pragma('wal_autocheckpoint', { simple: true }));
        db.pragma('wal_autocheckpoint = 0');
        worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, module: require.resolve('better-sqlite3') } });
        worker.unref();
        const w = worker;
        w.on('message', () => {
          busy = false;
        });
        w.on('error', () => {
          // Without the worker the connection checkpoints for itself, as before the purge.
          if (worker === w) worker = undefined;
          handBack();
        });
      }
      if (!busy) {
        busy = true;
        worker.postMessage('checkpoint');
      }
      if (idle) clearTimeout(idle);
      idle = setTimeout(stop, IDLE_MS);
      idle.unref();
    },
  };
}

type Params = { before: number; after: number; limit: number };

export function createSqliteRetention(db: SqliteDb): RetentionStore {
  const checkpoints = backgroundCheckpoints(db);
  const stateGet = db.prepare<[string], { value: string }>('SELECT value FROM collector_state WHERE name = ?');

  const claims = db.prepare<Params, { age: number }>(`
    DELETE FROM claims WHERE (handoff, key) IN (
      SELECT handoff, key FROM claims INDEXED BY claims_completed
      WHERE state = 'completed' AND completed_at <= @before AND completed_at >= @after ORDER BY completed_at LIMIT @limit)
    RETURNING completed_at AS age`);

  // Folded events only (id ≤ the fold's watermark), and none of a pair still in the exception queue.
  const events = db.prepare<Params & { folded: number }, { age: number }>(`
    DELETE FROM events WHERE id IN (
      SELECT e.id FROM events e INDEXED BY events_by_time
      WHERE e.at < @before AND e.at >= @after AND e.id <= @folded
        AND (e.key IS NULL OR NOT EXISTS (
          SELECT 1 FROM handoff_outcomes o
          WHERE o.handoff = e.handoff AND o.key = e.key
            AND o.failed_at IS NOT NULL AND o.completed_at IS NULL AND o.closed_at IS NULL))
      ORDER BY e.at LIMIT @limit)
    RETURNING at AS age`);

  // Finished runs, except those awaiting their completed claim and the latest success of each handoff
  // (found once per batch: one index seek per handoff that has finished runs).
  const latestSuccesses = db.prepare<[], { id: string | null }>(`
    SELECT (SELECT s.id FROM executions s INDEXED BY executions_last_success
            WHERE s.handoff = c.handoff AND s.status = 'success' ORDER BY s.stopped_at DESC LIMIT 1) AS id
    FROM (SELECT DISTINCT handoff FROM execution_counters) c`);
  const executions = db.prepare<Params & { keep: string }, { age: number }>(`
    DELETE FROM executions WHERE id IN (
      SELECT x.id FROM executions x INDEXED BY executions_retention
      WHERE x.finished = 1 AND coalesce(x.stopped_at, x.started_at, x.seen_at) < @before
        AND coalesce(x.stopped_at, x.started_at, x.seen_at) >= @after
        AND (x.outcome IS NULL OR x.outcome NOT IN ('pending', 'missing'))
        AND x.id NOT IN (SELECT value FROM json_each(@keep))
      ORDER BY coalesce(x.stopped_at, x.started_at, x.seen_at) LIMIT @limit)
    RETURNING coalesce(stopped_at, started_at, seen_at) AS age`);

  // Resolved incidents the time-to-recovery fold has passed ([resolved_at, id] ≤ its watermark),
  // with no alert still waiting to go out.
  const doomedIncidents = db.prepare<
    Params & { foldAt: number; foldId: number },
    { id: number; handoff: string; breached: number; age: number }
  >(`
    SELECT i.id, i.handoff, (i.escalated_at IS NOT NULL OR i.kind = 'stalled') AS breached, i.resolved_at AS age
    FROM incidents i INDEXED BY incidents_resolved
    WHERE i.resolved_at IS NOT NULL AND i.state = 'resolved' AND i.resolved_at < @before AND i.resolved_at >= @after
      AND (i.resolved_at < @foldAt OR (i.resolved_at = @foldAt AND i.id <= @foldId))
      AND NOT EXISTS (SELECT 1 FROM alert_outbox a WHERE a.incident_id = i.id AND a.state = 'pending')
    ORDER BY i.resolved_at, i.id LIMIT @limit`);
  const deleteAlertsOf = db.prepare<[number]>('DELETE FROM alert_outbox WHERE incident_id = ?');
  const deleteIncident = db.prepare<[number]>('DELETE FROM incidents WHERE id = ?');
  const keepBreaches = db.prepare<[string, number]>(`
    INSERT INTO purged_sla_breaches (handoff, count) VALUES (?, ?)
    ON CONFLICT (handoff) DO UPDATE SET count = count + excluded.count`);

  const alerts = db.prepare<Params, { age: number }>(`
    DELETE FROM alert_outbox WHERE id IN (
      SELECT id FROM alert_outbox INDEXED BY alert_outbox_sent
      WHERE state = 'sent' AND sent_at < @before AND sent_at >= @after ORDER BY sent_at LIMIT @limit)
    RETURNING sent_at AS age`);

  // Handoff outcomes that are settled: completed (with their claims' retention), or closed by hand and
  // never completed (with their incidents'). A queued pair (failed, neither) is never one of them.
  const completedOutcomes = db.prepare<Params, { age: number }>(`
    DELETE FROM handoff_outcomes WHERE (handoff, key) IN (
      SELECT handoff, key FROM handoff_outcomes INDEXED BY handoff_outcomes_completed
      WHERE completed_at IS NOT NULL AND completed_at <= @before AND completed_at >= @after ORDER BY completed_at LIMIT @limit)
    RETURNING completed_at AS age`);
  const closedOutcomes = db.prepare<Params, { age: number }>(`
    DELETE FROM handoff_outcomes WHERE (handoff, key) IN (
      SELECT handoff, key FROM handoff_outcomes INDEXED BY handoff_outcomes_closed
      WHERE closed_at IS NOT NULL AND completed_at IS NULL AND closed_at < @before AND closed_at >= @after
      ORDER BY closed_at LIMIT @limit)
    RETURNING closed_at AS age`);

  const batch = (ages: { age: number }[]): PurgeBatch => ({
    deleted: ages.length,
    last: ages.reduce<number | null>((max, r) => (max === null || r.age > max ? r.age : max), null),
  });

  const purgeIncidents = (p: Params): PurgeBatch => {
    const mark = stateGet.get('recovery_fold');
    if (!mark) return { deleted: 0, last: null }; // nothing folded yet: every resolved incident still waits for its time to recovery
    const [foldAt, foldId] = JSON.parse(mark.value) as [number, number];
    const rows = doomedIncidents.all({ ...p, foldAt, foldId });
    const breaches = new Map<string, number>();
    for (const r of rows) {
      deleteAlertsOf.run(r.id);
      deleteIncident.run(r.id);
      if (r.breached) breaches.set(r.handoff, (breaches.get(r.handoff) ?? 0) + 1);
    }
    for (const [handoff, n] of breaches) keepBreaches.run(handoff, n);
    return batch(rows);
  };

  const purgeTx = db.transaction((table: PurgeTable, p: Params): PurgeBatch => {
    switch (table) {
      case 'claims':
        return batch(claims.all(p));
      case 'events':
        return batch(events.all({ ...p, folded: Number(stateGet.get('outcome_fold')?.value ?? 0) }));
      case 'executions': {
        const latest = latestSuccesses.all().flatMap((r) => (r.id === null ? [] : [r.id]));
        return batch(executions.all({ ...p, keep: JSON.stringify(latest) }));
      }
      case 'incidents':
        return purgeIncidents(p);
      case 'alerts':
        return batch(alerts.all(p));
      case 'completedOutcomes':
        return batch(completedOutcomes.all(p));
      case 'closedOutcomes':
        return batch(closedOutcomes.all(p));
    }
  });

  return {
    holdsEventLoop: true,
    async purge(table, before, limit, after = Number.MIN_SAFE_INTEGER) {
      const result = purgeTx.immediate(table, { before, after, limit });
      if (result.deleted > 0) checkpoints.afterBatch();
      return result;
    },
  };
}
