/**
 * The wire protocol between the nodes and the monitor's ledger (`/api/v1/claims…`).
 * Shared so both sides agree on names; the monitor validates every request with zod regardless.
 */
import { API_BASE, API_ROUTES } from './paths';

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
  /** Numbers are taken too (n8n's ids are strings, older ones numbers); the monitor keeps them as text. */
  execution?: { id?: string | number; workflowId?: string | number };
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
  claims: `${API_BASE}${API_ROUTES.claims}`,
  complete: `${API_BASE}${API_ROUTES.complete}`,
  release: `${API_BASE}${API_ROUTES.release}`,
  handoffs: `${API_BASE}${API_ROUTES.handoffs}`,
  events: `${API_BASE}${API_ROUTES.events}`,
  incidents: `${API_BASE}${API_ROUTES.incidents}`,
} as const;

/** Limits both sides enforce, so a request the node builds is never one the monitor rejects. */
export const LEDGER_LIMITS = {
  maxKeyLength: 512,
  maxFingerprintLength: 256,
  maxItemsPerRequest: 50_000,
  minLeaseSeconds: 1,
  maxLeaseSeconds: 7 * 24 * 3600,
} as const;
