/**
 * The wire protocol between the nodes and the monitor's ledger (`/api/v1/claims…`).
 * Shared so both sides agree on names; the monitor validates every request with zod regardless.
 */

/** What the ledger says about one claimed key. */
export type ClaimDecision = 'new' | 'duplicate' | 'in_progress' | 'conflict';

/** Lifecycle of a key in the ledger. */
export type ClaimState = 'claimed' | 'completed' | 'released';

export interface ClaimItem {
  key: string;
  /** Hash of the payload fields that define "the same request"; a different one is a conflict. */
  fingerprint?: string;
}

export interface ClaimRequest {
  handoff: string;
  leaseSeconds?: number;
  execution?: { id?: string; workflowId?: string };
  items: ClaimItem[];
}

export interface ClaimResult {
  key: string;
  decision: ClaimDecision;
  attempt: number;
  state: ClaimState;
  /** Why a non-new decision was taken, in words a person can act on. */
  reason?: string;
  leaseExpiresAt?: string;
}

export interface ClaimResponse {
  results: ClaimResult[];
}

export interface SettleRequest {
  handoff: string;
  keys: string[];
  reason?: string;
}

export type SettleOutcome = 'completed' | 'released' | 'already_completed' | 'already_released' | 'not_found';

export interface SettleResult {
  key: string;
  outcome: SettleOutcome;
  state?: ClaimState;
  attempt?: number;
}

export interface SettleResponse {
  results: SettleResult[];
}

/** One handoff as the nodes see it (for dropdowns and defaults). */
export interface HandoffSummary {
  id: string;
  name: string;
  owner: { name: string; channel?: string };
  completionSlaSeconds: number;
  exceptionSlaSeconds: number;
}

export const LEDGER_PATHS = {
  claims: '/api/v1/claims',
  complete: '/api/v1/claims/complete',
  release: '/api/v1/claims/release',
  handoffs: '/api/v1/handoffs',
  events: '/api/v1/events',
  incidents: '/api/v1/incidents',
} as const;

/** Limits both sides enforce, so a request the node builds is never one the monitor rejects. */
export const LEDGER_LIMITS = {
  maxKeyLength: 512,
  maxFingerprintLength: 256,
  maxItemsPerRequest: 50_000,
  minLeaseSeconds: 1,
  maxLeaseSeconds: 7 * 24 * 3600,
} as const;
