/** An alert_outbox row and the OutboxAlert the worker and the pages read; one mapping for both stores. */
import type { AlertMessage, OutboxAlert } from '../../domain/incident-message';
import type { AlertKind } from '../../domain/incidents';
import type { JsonColumns } from './incidents';

export interface OutboxRow {
  id: number;
  incident_id: number;
  kind: AlertKind;
  idempotency_key: string;
  /** JSON: text on SQLite, the parsed value on Postgres. */
  message: unknown;
  state: OutboxAlert['state'];
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
}

/** A dead alert keeps the time it died in next_attempt_at (no attempt follows); fields with nothing to say are left out. */
export const fromOutboxRow = (r: OutboxRow, json: JsonColumns): OutboxAlert => ({
  id: r.id,
  incidentId: r.incident_id,
  kind: r.kind,
  idempotencyKey: r.idempotency_key,
  message: (json === 'text' ? JSON.parse(r.message as string) : r.message) as AlertMessage,
  attempts: r.attempts,
  createdAt: r.created_at,
  state: r.state,
  ...(r.sent_at !== null ? { sentAt: r.sent_at } : {}),
  ...(r.state === 'dead' ? { deadAt: r.next_attempt_at } : {}),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
});
