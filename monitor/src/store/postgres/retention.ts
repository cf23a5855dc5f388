/**
 * Retention on Postgres: the same batches as sqlite/retention.ts, one short transaction each. Every
 * DELETE repeats its conditions on the row it deletes, so a row a claim or the collector changed
 * meanwhile (a completed key claimed again, a run awaiting its outcome) is re-checked after the lock
 * wait and left alone. Two replicas purging at once may pick the same rows; only one deletes each,
 * and an incident's SLA breaches are carried over by the transaction that really deleted it.
 */
import type { Pool } from 'pg';
import type { PurgeBatch, PurgeTable, RetentionStore } from '../../domain/store';
import { inTransaction, run, type Statement } from './pool';

const statement = (name: string, text: string): Statement => ({ name: `handoff-retention-${name}`, text });

// Each DELETE takes the rows its subquery picked by their physical address (ctid = ANY(ARRAY(…)), a
// TID scan): with `IN (subquery)` the planner hashes the batch and scans the whole table for it. Each
// starts at the cursor ($after: the age of the last row the previous batch deleted), so a batch never
// walks the index entries of rows already deleted but not yet vacuumed. Each answers how many rows it
// deleted and the age of the last one.
const counted = (del: string, age: string) =>
  `WITH d AS (${del} RETURNING ${age} AS age) SELECT count(*)::int AS deleted, max(age) AS last FROM d`;

const CLAIMS = statement(
  'claims',
  counted(
    `DELETE FROM claims c
     WHERE c.ctid = ANY(ARRAY(
       SELECT ctid FROM claims WHERE state = 'completed' AND completed_at <= $1 AND completed_at >= $3 ORDER BY completed_at LIMIT $2))
       AND c.state = 'completed' AND c.completed_at <= $1`,
    'c.completed_at',
  ),
);

const EVENTS = statement(
  'events',
  counted(
    `DELETE FROM events WHERE ctid = ANY(ARRAY(
       SELECT e.ctid FROM events e
       WHERE e.at < $1 AND e.at >= $3 AND e.id <= $4
         AND (e.key IS NULL OR NOT EXISTS (
           SELECT 1 FROM handoff_outcomes o
           WHERE o.handoff = e.handoff AND o.key = e.key
             AND o.failed_at IS NOT NULL AND o.completed_at IS NULL AND o.closed_at IS NULL))
       ORDER BY e.at LIMIT $2))`,
    'at',
  ),
);

/** Not awaiting its completed claim (detector (c)), and not the latest success of its handoff ($4). */
const KEEP = (x: string) => `(${x}.outcome IS NULL OR ${x}.outcome NOT IN ('pending', 'missing')) AND ${x}.id <> ALL($4::text[])`;
const AGE = (x: string) => `coalesce(${x}.stopped_at, ${x}.started_at, ${x}.seen_at)`;

/** The latest success of each handoff that has finished runs: one index seek per handoff. */
const LATEST_SUCCESSES = statement(
  'latest-successes',
  `SELECT (SELECT s.id FROM executions s WHERE s.handoff = c.handoff AND s.status = 'success' ORDER BY s.stopped_at DESC LIMIT 1) AS id
   FROM (SELECT DISTINCT handoff FROM execution_counters) c`,
);

const EXECUTIONS = statement(
  'executions',
  counted(
    `DELETE FROM executions x
     WHERE x.ctid = ANY(ARRAY(
       SELECT y.ctid FROM executions y
       WHERE y.finished = 1 AND ${AGE('y')} < $1 AND ${AGE('y')} >= $3 AND ${KEEP('y')}
       ORDER BY ${AGE('y')} LIMIT $2))
       AND x.finished = 1 AND ${AGE('x')} < $1 AND ${KEEP('x')}`,
    AGE('x'),
  ),
);

/**
 * Resolved incidents the time-to-recovery fold has passed, without a pending alert, locked (others
 * skip them), deleted with their alerts; the breaches among them are added to purged_sla_breaches.
 */
const INCIDENTS = statement(
  'incidents',
  `WITH doomed AS MATERIALIZED (
     SELECT i.id FROM incidents i
     WHERE i.resolved_at IS NOT NULL AND i.state = 'resolved' AND i.resolved_at < $1 AND i.resolved_at >= $3
       AND (i.resolved_at < $4 OR (i.resolved_at = $4 AND i.id <= $5))
       AND NOT EXISTS (SELECT 1 FROM alert_outbox a WHERE a.incident_id = i.id AND a.state = 'pending')
     ORDER BY i.resolved_at, i.id LIMIT $2
     FOR UPDATE SKIP LOCKED
   ), alerts AS (
     DELETE FROM alert_outbox a WHERE a.incident_id = ANY(ARRAY(SELECT id FROM doomed)) RETURNING a.id
   ), gone AS (
     DELETE FROM incidents i WHERE i.id = ANY(ARRAY(SELECT id FROM doomed))
     RETURNING i.handoff, i.resolved_at, (i.escalated_at IS NOT NULL OR i.kind = 'stalled') AS breached
   ), kept AS (
     INSERT INTO purged_sla_breaches (handoff, count)
     SELECT handoff, count(*) FROM gone WHERE breached GROUP BY handoff
     ON CONFLICT (handoff) DO UPDATE SET count = purged_sla_breaches.count + excluded.count
   )
   SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT max(resolved_at) FROM gone) AS last,
          (SELECT count(*) FROM alerts)::int AS alerts`,
);

const ALERTS = statement(
  'alerts',
  counted(
    `DELETE FROM alert_outbox a
     WHERE a.ctid = ANY(ARRAY(
       SELECT ctid FROM alert_outbox WHERE state = 'sent' AND sent_at < $1 AND sent_at >= $3 ORDER BY sent_at LIMIT $2))
       AND a.state = 'sent' AND a.sent_at < $1`,
    'a.sent_at',
  ),
);

/** Completed pairs, by completion (the claims' retention); re-checked on the row, as the fold may write it meanwhile. */
const COMPLETED_OUTCOMES = statement(
  'completed-outcomes',
  counted(
    `DELETE FROM handoff_outcomes o
     WHERE o.ctid = ANY(ARRAY(
       SELECT ctid FROM handoff_outcomes
       WHERE completed_at IS NOT NULL AND completed_at <= $1 AND completed_at >= $3 ORDER BY completed_at LIMIT $2))
       AND o.completed_at IS NOT NULL AND o.completed_at <= $1`,
    'o.completed_at',
  ),
);

/** Pairs closed by hand and never completed, by closing (the incidents' retention); a pair failing again is left. */
const CLOSED_OUTCOMES = statement(
  'closed-outcomes',
  counted(
    `DELETE FROM handoff_outcomes o
     WHERE o.ctid = ANY(ARRAY(
       SELECT ctid FROM handoff_outcomes
       WHERE closed_at IS NOT NULL AND completed_at IS NULL AND closed_at < $1 AND closed_at >= $3 ORDER BY closed_at LIMIT $2))
       AND o.closed_at IS NOT NULL AND o.completed_at IS NULL AND o.closed_at < $1`,
    'o.closed_at',
  ),
);

const STATE_GET = statement('state-get', 'SELECT value FROM collector_state WHERE name = $1');

export function createPostgresRetention(pool: Pool): RetentionStore {
  const state = async (name: string) => (await run<{ value: string }>(pool, STATE_GET, [name])).rows[0]?.value;
  const batch = async (statement: Statement, values: unknown[]): Promise<PurgeBatch> => {
    const row = (await run<{ deleted: number; last: number | null }>(pool, statement, values)).rows[0];
    return { deleted: row?.deleted ?? 0, last: row?.last ?? null };
  };
  const none: PurgeBatch = { deleted: 0, last: null };
  return {
    holdsEventLoop: false,
    async purge(table: PurgeTable, before: number, limit: number, after = Number.MIN_SAFE_INTEGER): Promise<PurgeBatch> {
      switch (table) {
        case 'claims':
          return batch(CLAIMS, [before, limit, after]);
        case 'events': {
          // Read before the delete: the watermark only moves forward, so an older value is only more careful.
          const folded = Number((await state('outcome_fold')) ?? 0);
          if (folded <= 0) return none;
          return batch(EVENTS, [before, limit, after, folded]);
        }
        case 'executions': {
          const latest = (await run<{ id: string | null }>(pool, LATEST_SUCCESSES)).rows.flatMap((r) => (r.id === null ? [] : [r.id]));
          return batch(EXECUTIONS, [before, limit, after, latest]);
        }
        case 'incidents': {
          const mark = await state('recovery_fold');
          if (!mark) return none;
          const [foldAt, foldId] = JSON.parse(mark) as [number, number];
          return inTransaction(pool, async (client) => {
            const row = (await run<{ deleted: number; last: number | null }>(client, INCIDENTS, [before, limit, after, foldAt, foldId]))
              .rows[0];
            return { deleted: row?.deleted ?? 0, last: row?.last ?? null };
          });
        }
        case 'alerts':
          return batch(ALERTS, [before, limit, after]);
        case 'completedOutcomes':
          return batch(COMPLETED_OUTCOMES, [before, limit, after]);
        case 'closedOutcomes':
          return batch(CLOSED_OUTCOMES, [before, limit, after]);
      }
    },
  };
}
