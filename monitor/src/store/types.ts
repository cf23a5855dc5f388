/**
 * What the monitor needs from a store. Async so that SQLite (embedded default) and Postgres
 * (scale-out) can sit behind the same interface; each method is one atomic unit of work.
 */
import type { ClaimResult, SettleResult } from '../../../nodes/shared/ledger-protocol';
import type { SettleAction } from '../ledger/decide';

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

export interface MonitorStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly ledger: LedgerStore;
  readonly events: EventStore;
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
