/**
 * Retention on Postgres: the same batches as sqlite/retention.ts, one short transaction each. Every
 * DELETE repeats its conditions on the row it deletes, so a row a claim or the collector changed
 * meanwhile (a completed key claimed again, a run awaiting its outcome) is re-checked after the lock
 * wait and left alone. Two replicas purging at once may pick the same rows; only one deletes each,
 * and an incident's SLA breaches are carried over by the transaction that really deleted it.
 */
import type { Pool } from 'pg';
import type { PurgeTable, RetentionStore } from '../types';
import { inTransaction, run, type Statement } from './pool';

const statement = (name: string, text: string): Statement => ({ name: `handoff-retention-${name}`, text });

// Each DELETE takes the rows its subquery picked by their physical address (ctid = ANY(ARRAY(…)), a
// TID scan): with `IN (subquery)` the planner hashes the batch and scans the whole table for it.
const CLAIMS = statement(
  'claims',
  `DELETE FROM claims c
   WHERE c.ctid = ANY(ARRAY(
     SELECT ctid FROM claims WHERE state = 'completed' AND completed_at <= $1 ORDER BY completed_at LIMIT $2))
     AND c.state = 'completed' AND c.completed_at <= $1`,
);

const EVENTS = statement(
  'events',
  `DELETE FROM events WHERE ctid = ANY(ARRAY(
     SELECT e.ctid FROM events e
     WHERE e.at < $1 AND e.id <= $2
       AND (e.key IS NULL OR NOT EXISTS (
         SELECT 1 FROM handoff_outcomes o
         WHERE o.handoff = e.handoff AND o.key = e.key
           AND o.failed_at IS NOT NULL AND o.completed_at IS NULL AND o.closed_at IS NULL))
     ORDER BY e.at LIMIT $3))`,
);

/** Not awaiting its completed claim (detector (c)), and not the latest success of its handoff ($3). */
const KEEP = (x: string) => `(${x}.outcome IS NULL OR ${x}.outcome NOT IN ('pending', 'missing')) AND ${x}.id <> ALL($3::text[])`;

/** The latest success of each handoff that has finished runs: one index seek per handoff. */
const LATEST_SUCCESSES = statement(
  'latest-successes',
  `SELECT (SELECT s.id FROM executions s WHERE s.handoff = c.handoff AND s.status = 'success' ORDER BY s.stopped_at DESC LIMIT 1) AS id
   FROM (SELECT DISTINCT handoff FROM execution_counters) c`,
);

const EXECUTIONS = statement(
  'executions',
  `DELETE FROM executions x
   WHERE x.ctid = ANY(ARRAY(
     SELECT y.ctid FROM executions y
     WHERE y.finished = 1 AND coalesce(y.stopped_at, y.started_at, y.seen_at) < $1 AND ${KEEP('y')}
     ORDER BY coalesce(y.stopped_at, y.started_at, y.seen_at) LIMIT $2))
     AND x.finished = 1 AND coalesce(x.stopped_at, x.started_at, x.seen_at) < $1 AND ${KEEP('x')}`,
);

/**
 * Resolved incidents the time-to-recovery fold has passed, without a pending alert, locked (others
 * skip them), deleted with their alerts; the breaches among them are added to purged_sla_breaches.
 */
const INCIDENTS = statement(
  'incidents',
  `WITH doomed AS MATERIALIZED (
     SELECT i.id FROM incidents i
     WHERE i.resolved_at IS NOT NULL AND i.state = 'resolved' AND i.resolved_at < $1
       AND (i.resolved_at < $2 OR (i.resolved_at = $2 AND i.id <= $3))
       AND NOT EXISTS (SELECT 1 FROM alert_outbox a WHERE a.incident_id = i.id AND a.state = 'pending')
     ORDER BY i.resolved_at, i.id LIMIT $4
     FOR UPDATE SKIP LOCKED
   ), alerts AS (
     DELETE FROM alert_outbox a WHERE a.incident_id = ANY(ARRAY(SELECT id FROM doomed)) RETURNING a.id
   ), gone AS (
     DELETE FROM incidents i WHERE i.id = ANY(ARRAY(SELECT id FROM doomed))
     RETURNING i.handoff, (i.escalated_at IS NOT NULL OR i.kind = 'stalled') AS breached
   ), kept AS (
     INSERT INTO purged_sla_breaches (handoff, count)
     SELECT handoff, count(*) FROM gone WHERE breached GROUP BY handoff
     ON CONFLICT (handoff) DO UPDATE SET count = purged_sla_breaches.count + excluded.count
   )
   SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM alerts)::int AS alerts`,
);

const ALERTS = statement(
  'alerts',
  `DELETE FROM alert_outbox a
   WHERE a.ctid = ANY(ARRAY(SELECT ctid FROM alert_outbox WHERE state = 'sent' AND sent_at < $1 ORDER BY sent_at LIMIT $2))
     AND a.state = 'sent' AND a.sent_at < $1`,
);

const STATE_GET = statement('state-get', 'SELECT value FROM collector_state WHERE name = $1');

export function createPostgresRetention(pool: Pool): RetentionStore {
  const state = async (name: string) => (await run<{ value: string }>(pool, STATE_GET, [name])).rows[0]?.value;
  return {
    async purge(table: PurgeTable, before: number, limit: number): Promise<number> {
      switch (table) {
        case 'claims':
          return (await run(pool, CLAIMS, [before, limit])).rowCount ?? 0;
        case 'events': {
          // Read before the delete: the watermark only moves forward, so an older value is only more careful.
          const folded = Number((await state('outcome_fold')) ?? 0);
          if (folded <= 0) return 0;
          return (await run(pool, EVENTS, [before, folded, limit])).rowCount ?? 0;
        }
        case 'executions': {
          const latest = (await run<{ id: string | null }>(pool, LATEST_SUCCESSES)).rows.flatMap((r) => (r.id === null ? [] : [r.id]));
          return (await run(pool, EXECUTIONS, [before, limit, latest])).rowCount ?? 0;
        }
        case 'incidents': {
          const mark = await state('recovery_fold');
          if (!mark) return 0;
          const [foldAt, foldId] = JSON.parse(mark) as [number, number];
          return inTransaction(pool, async (client) => (await run<{ deleted: number }>(client, INCIDENTS, [before, foldAt, foldId, limit])).rows[0]?.deleted ?? 0);
        }
        case 'alerts':
          return (await run(pool, ALERTS, [before, limit])).rowCount ?? 0;
      }
    },
  };
}
