/**
 * What the monitor needs from a store. Async so that SQLite (embedded default) and Postgres
 * (scale-out) can sit behind the same interface; each method is one atomic unit of work.
 */
import type { ClaimResult, SettleResult } from '../../../nodes/shared/ledger-protocol';
import type { SettleAction } from '../ledger/decide';
import type { Incident, IncidentPerson, IncidentState } from '../../../nodes/shared/incident-protocol';
import type { IncidentAction, IncidentReport } from '../incidents/decide';
import type { OutboxAlert } from '../alerts/message';

export interface ClaimBatch {
  handoff: string;
  leaseMs: number;
  executionId?: string;
  workflowId?: string;
  items: { key: string; fingerprint?: string }[];
}

export interface SettleBatch {
  handoff: string;
  keys: string[];
  reason?: string;
}

export interface ClaimCounter {
  handoff: string;
  decision: string;
  count: number;
}

export interface LedgerStore {
  /** Decides and records every item of the batch in one transaction. */
  claim(batch: ClaimBatch, now: number): Promise<ClaimResult[]>;
  settle(action: SettleAction, batch: SettleBatch, now: number): Promise<SettleResult[]>;
  /** Forgets completed keys older than the retention window; returns how many. */
  purgeCompleted(now: number): Promise<number>;
  /** Lifetime claim decisions per handoff (kept in the same transaction as the claims). */
  claimCounters(): Promise<ClaimCounter[]>;
}

/** A checkpoint on a handoff's way: from the nodes (validated, verified…) or the ledger itself. */
export interface HandoffEvent {
  handoff: string;
  key?: string;
  kind: string;
  at: number;
  executionId?: string;
  details?: Record<string, unknown>;
}

export interface StoredEvent extends HandoffEvent {
  id: number;
}

export interface EventStore {
  append(events: HandoffEvent[]): Promise<number>;
  /** The trace of one key, oldest first. */
  trace(handoff: string, key: string, limit?: number): Promise<StoredEvent[]>;
}

export interface IncidentFilter {
  handoff?: string;
  /** `unresolved` means open or acknowledged. */
  state?: IncidentState | 'unresolved';
  /** Matches the owner's name or channel. */
  owner?: string;
  limit: number;
}

export type IncidentTransition =
  | { found: false }
  | { found: true; ok: true; incident: Incident; changed: boolean }
  | { found: true; ok: false; incident: Incident; problem: string };

/** Durable alerts: written with the incident change that caused them, sent by the outbox worker. */
export interface AlertOutbox {
  /** Pending alerts whose next attempt is due, oldest first. */
  due(now: number, limit: number): Promise<OutboxAlert[]>;
  markSent(id: number, now: number, tries: number): Promise<void>;
  markRetry(id: number, nextAttemptAt: number, tries: number, problem: string): Promise<void>;
  /** The webhook refused the alert (a 4xx): kept for the record, never retried. */
  markDead(id: number, now: number, tries: number, problem: string): Promise<void>;
  list(filter?: { incidentId?: number }): Promise<OutboxAlert[]>;
}

export interface IncidentStore {
  /** Opens an incident or folds the report into the open one with the same dedup key; one transaction with its alert. */
  report(report: IncidentReport, now: number): Promise<{ incident: Incident; deduplicated: boolean; alertQueued: boolean }>;
  get(id: number): Promise<Incident | undefined>;
  list(filter: IncidentFilter): Promise<Incident[]>;
  transition(id: number, action: IncidentAction, now: number): Promise<IncidentTransition>;
  /** Escalates every unresolved incident past its SLA, once; returns those escalated now. */
  escalateDue(now: number, targetFor: (incident: Incident) => IncidentPerson): Promise<Incident[]>;
  readonly outbox: AlertOutbox;
}

export interface MonitorStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly ledger: LedgerStore;
  readonly events: EventStore;
  readonly incidents: IncidentStore;
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
