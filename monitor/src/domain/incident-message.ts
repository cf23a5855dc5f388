/**
 * What the outbox stores for one alert: a snapshot of the (already redacted) incident at the moment
 * the alert was decided, so a delivery after a restart says what was true then.
 */
import type { Incident, IncidentPerson } from '../../../protocol/incidents';
import type { AlertKind } from './incidents';

export interface AlertMessage {
  kind: AlertKind;
  /** Who must act: the owner for `opened`, the escalation target for `escalated`. */
  to: IncidentPerson;
  incident: Incident;
  at: string;
}

/** One row of the outbox. The idempotency key is stable across retries and restarts. */
export interface OutboxAlert {
  id: number;
  incidentId: number;
  kind: AlertKind;
  idempotencyKey: string;
  message: AlertMessage;
  attempts: number;
  createdAt: number;
  state: 'pending' | 'sent' | 'dead';
  sentAt?: number;
  /** When the webhook refused it (state `dead`). */
  deadAt?: number;
  lastError?: string;
}

/** `incident-12-opened`: one key per incident and alert kind, so a receiver can drop repeats. */
export const alertIdempotencyKey = (incidentId: number, kind: AlertKind) => `incident-${incidentId}-${kind}`;

/**
 * Several alerts of one group (alerts/grouping.ts) posted as one message: a storm of failed deals is
 * one digest, not one message per deal. Every alert keeps its own outbox row; the digest settles them
 * together.
 */
export interface AlertDigest {
  kind: AlertKind;
  /** `digest-<kind>-<hash of the row ids>`: the same rows retried give the same key. */
  idempotencyKey: string;
  /** Oldest first; all of one group. */
  alerts: OutboxAlert[];
}

/** What one webhook post carries: one alert as before, or a digest. */
export type AlertDelivery = OutboxAlert | AlertDigest;

export const isDigest = (d: AlertDelivery): d is AlertDigest => 'alerts' in d;
