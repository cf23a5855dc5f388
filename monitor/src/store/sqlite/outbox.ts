/** The alert outbox on SQLite: rows are inserted by the incident transactions, updated by the worker. */
import type { AlertMessage, OutboxAlert } from '../../domain/incident-message';
import type { AlertKind } from '../../domain/incidents';
import type { AlertIds, AlertOutbox } from '../../domain/store';
import type { SqliteDb } from './open';
import { fromOutboxRow, type OutboxRow } from '../rows/outbox';

/** SQLite keeps the message as JSON text. */
const fromRow = (r: OutboxRow): OutboxAlert => fromOutboxRow(r, 'text');

/** The ids as one JSON array parameter (`json_each`): a digest's rows settle in one statement. */
const idList = (id: AlertIds) => JSON.stringify(typeof id === 'number' ? [id] : id);
const IN_IDS = 'id IN (SELECT value FROM json_each(?))';

/** Used inside the incident transactions; `OR IGNORE` keeps one alert per incident and kind. */
export function prepareEnqueue(db: SqliteDb) {
  const insert = db.prepare(`
    INSERT OR IGNORE INTO alert_outbox (incident_id, kind, idempotency_key, message, state, created_at, next_attempt_at)
    VALUES (?, ?, ?, ?, 'pending', ?, ?)`);
  return (incidentId: number, kind: AlertKind, key: string, message: AlertMessage, now: number): boolean =>
    insert.run(incidentId, kind, key, JSON.stringify(message), now, now).changes > 0;
}

export function createSqliteOutbox(db: SqliteDb): AlertOutbox {
  const due = db.prepare<[number, number], OutboxRow>(
    "SELECT * FROM alert_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
  );
  const sent = db.prepare(
    `UPDATE alert_outbox SET state = 'sent', sent_at = ?, attempts = attempts + ?, last_error = NULL WHERE ${IN_IDS} AND state = 'pending'`,
  );
  const retry = db.prepare(
    `UPDATE alert_outbox SET next_attempt_at = ?, attempts = attempts + ?, last_error = ? WHERE ${IN_IDS} AND state = 'pending'`,
  );
  const markDead = db.prepare(
    `UPDATE alert_outbox SET state = 'dead', sent_at = NULL, next_attempt_at = ?, attempts = attempts + ?, last_error = ? WHERE ${IN_IDS} AND state = 'pending'`,
  );
  const hold = db.prepare(`UPDATE alert_outbox SET next_attempt_at = ? WHERE ${IN_IDS} AND state = 'pending'`);
  // alert_outbox_sent (sent_at WHERE state = 'sent') serves this.
  const sentSince = db.prepare<[number, number], OutboxRow>(
    "SELECT * FROM alert_outbox WHERE state = 'sent' AND sent_at >= ? ORDER BY sent_at DESC, id DESC LIMIT ?",
  );
  const all = db.prepare<[], OutboxRow>('SELECT * FROM alert_outbox ORDER BY id');
  const byIncident = db.prepare<[number], OutboxRow>('SELECT * FROM alert_outbox WHERE incident_id = ? ORDER BY id');
  const dead = db.prepare<[number], OutboxRow>("SELECT * FROM alert_outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?");
  const deadOf = db.prepare<[number, number], OutboxRow>(
    "SELECT * FROM alert_outbox WHERE state = 'dead' AND incident_id = ? ORDER BY id DESC LIMIT ?",
  );
  return {
    async due(now, limit) {
      return due.all(now, limit).map(fromRow);
    },
    async markSent(id, now, tries) {
      sent.run(now, tries, idList(id));
    },
    async markRetry(id, nextAttemptAt, tries, problem) {
      retry.run(nextAttemptAt, tries, problem, idList(id));
    },
    async markDead(id, now, tries, problem) {
      markDead.run(now, tries, problem, idList(id));
    },
    async hold(ids, until) {
      if (ids.length) hold.run(until, idList(ids));
    },
    async sentSince(since, limit) {
      return sentSince.all(since, limit).map(fromRow);
    },
    async dead(filter) {
      return (filter.incidentId !== undefined ? deadOf.all(filter.incidentId, filter.limit) : dead.all(filter.limit)).map(fromRow);
    },
    async list(filter = {}) {
      return (filter.incidentId !== undefined ? byIncident.all(filter.incidentId) : all.all()).map(fromRow);
    },
  };
}
