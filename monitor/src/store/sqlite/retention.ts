/**
 * Retention on SQLite: each call deletes one small batch in one IMMEDIATE transaction, walking the
 * table's age index from the cursor on, so the write lock (and this process's event loop, since
 * better-sqlite3 is synchronous) is held for a few milliseconds at a time. What is kept and why:
 * store/types.ts RetentionStore.
 */
import type { PurgeBatch, PurgeTable, RetentionStore } from '../types';
import type { SqliteDb } from './open';

type Params = { before: number; after: number; limit: number };

export function createSqliteRetention(db: SqliteDb): RetentionStore {
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
    }
  });

  return {
    holdsEventLoop: true,
    async purge(table, before, limit, after = Number.MIN_SAFE_INTEGER) {
      return purgeTx.immediate(table, { before, after, limit });
    },
  };
}
