/**
 * The alert outbox on Postgres. Rows are inserted by the incident transactions; the worker of every
 * replica polls `due`. So that an alert is still sent once when two replicas poll together, `due`
 * takes the rows it returns (FOR UPDATE SKIP LOCKED) and pushes their next attempt out by a claim
 * window; markSent / markRetry / markDead then settle them. A replica that dies mid-pass leaves its
 * alerts pending, and another (or its restart) sends them once the window has passed.
 */
import type { Pool, PoolClient } from 'pg';
import type { AlertMessage, OutboxAlert } from '../../domain/incident-message';
import type { AlertKind } from '../../domain/incidents';
import type { AlertIds, AlertOutbox } from '../../domain/store';
import { run, type Statement } from './pool';
import { fromOutboxRow, type OutboxRow } from '../rows/outbox';

/**
 * Longer than one alert's pass takes with the worker's default policy (4 tries, 10 s send timeout,
 * ~7 s of backoff ≈ 50 s), so a slow webhook does not let the other replica send the same alert.
 */
const CLAIM_WINDOW_MS = 5 * 60_000;

interface Row extends OutboxRow {
  /** When the alert was due before `due` claimed it: the order the worker sends in. */
  due_at: number;
}

const fromRow = (r: OutboxRow): OutboxAlert => fromOutboxRow(r, 'parsed');

// ON CONFLICT DO NOTHING, like SQLite's OR IGNORE: one alert per incident and kind.
const ENQUEUE: Statement = {
  name: 'handoff-outbox-enqueue',
  text: `INSERT INTO alert_outbox (incident_id, kind, idempotency_key, message, state, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4::json, 'pending', $5, $5)
         ON CONFLICT DO NOTHING`,
};
const DUE: Statement = {
  name: 'handoff-outbox-due',
  text: `WITH picked AS (
           SELECT id, next_attempt_at FROM alert_outbox
           WHERE state = 'pending' AND next_attempt_at <= $1
           ORDER BY next_attempt_at, id LIMIT $2
           FOR UPDATE SKIP LOCKED)
         UPDATE alert_outbox AS a SET next_attempt_at = $1::bigint + $3::bigint
         FROM picked WHERE a.id = picked.id
         RETURNING a.*, picked.next_attempt_at AS due_at`,
};
// The settling statements take an array of ids: a digest's rows settle in one statement.
const SENT: Statement = {
  name: 'handoff-outbox-sent-ids',
  text: "UPDATE alert_outbox SET state = 'sent', sent_at = $1, attempts = attempts + $2, last_error = NULL WHERE id = ANY($3::bigint[]) AND state = 'pending'",
};
const RETRY: Statement = {
  name: 'handoff-outbox-retry-ids',
  text: "UPDATE alert_outbox SET next_attempt_at = $1, attempts = attempts + $2, last_error = $3 WHERE id = ANY($4::bigint[]) AND state = 'pending'",
};
const DEAD: Statement = {
  name: 'handoff-outbox-dead-ids',
  text: "UPDATE alert_outbox SET state = 'dead', sent_at = NULL, next_attempt_at = $1, attempts = attempts + $2, last_error = $3 WHERE id = ANY($4::bigint[]) AND state = 'pending'",
};
// Also ends `due`'s claim on the rows: they wait until their group's window ends, not 5 minutes.
const HOLD: Statement = {
  name: 'handoff-outbox-hold',
  text: "UPDATE alert_outbox SET next_attempt_at = $1 WHERE id = ANY($2::bigint[]) AND state = 'pending'",
};
// alert_outbox_sent (sent_at WHERE state = 'sent') serves this.
const SENT_SINCE: Statement = {
  name: 'handoff-outbox-sent-since',
  text: "SELECT *, next_attempt_at AS due_at FROM alert_outbox WHERE state = 'sent' AND sent_at >= $1 ORDER BY sent_at DESC, id DESC LIMIT $2",
};

const idList = (id: AlertIds): readonly number[] => (typeof id === 'number' ? [id] : id);
const DEAD_LIST: Statement = {
  name: 'handoff-outbox-dead-list',
  text: "SELECT *, next_attempt_at AS due_at FROM alert_outbox WHERE state = 'dead' ORDER BY id DESC LIMIT $1",
};
const DEAD_OF: Statement = {
  name: 'handoff-outbox-dead-of',
  text: "SELECT *, next_attempt_at AS due_at FROM alert_outbox WHERE state = 'dead' AND incident_id = $1 ORDER BY id DESC LIMIT $2",
};
const ALL: Statement = { name: 'handoff-outbox-all', text: 'SELECT *, next_attempt_at AS due_at FROM alert_outbox ORDER BY id' };
const BY_INCIDENT: Statement = {
  name: 'handoff-outbox-by-incident',
  text: 'SELECT *, next_attempt_at AS due_at FROM alert_outbox WHERE incident_id = $1 ORDER BY id',
};

/** Used inside the incident transactions; true when the alert was new. */
export async function enqueueAlert(
  client: PoolClient,
  incidentId: number,
  kind: AlertKind,
  key: string,
  message: AlertMessage,
  now: number,
): Promise<boolean> {
  const result = await run(client, ENQUEUE, [incidentId, kind, key, JSON.stringify(message), now]);
  return (result.rowCount ?? 0) > 0;
}

export function createPostgresOutbox(pool: Pool): AlertOutbox {
  return {
    async due(now, limit) {
      const { rows } = await run<Row>(pool, DUE, [now, limit, CLAIM_WINDOW_MS]);
      return rows.sort((a, b) => a.due_at - b.due_at || a.id - b.id).map(fromRow);
    },
    async markSent(id, now, tries) {
      await run(pool, SENT, [now, tries, idList(id)]);
    },
    async markRetry(id, nextAttemptAt, tries, problem) {
      await run(pool, RETRY, [nextAttemptAt, tries, problem, idList(id)]);
    },
    async markDead(id, now, tries, problem) {
      await run(pool, DEAD, [now, tries, problem, idList(id)]);
    },
    async hold(ids, until) {
      if (ids.length) await run(pool, HOLD, [until, ids]);
    },
    async sentSince(since, limit) {
      const { rows } = await run<Row>(pool, SENT_SINCE, [since, limit]);
      return rows.map(fromRow);
    },
    async dead(filter) {
      const { rows } =
        filter.incidentId !== undefined
          ? await run<Row>(pool, DEAD_OF, [filter.incidentId, filter.limit])
          : await run<Row>(pool, DEAD_LIST, [filter.limit]);
      return rows.map(fromRow);
    },
    async list(filter = {}) {
      const { rows } = filter.incidentId !== undefined ? await run<Row>(pool, BY_INCIDENT, [filter.incidentId]) : await run<Row>(pool, ALL);
      return rows.map(fromRow);
    },
  };
}
