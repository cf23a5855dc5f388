/** A claims row and the ClaimRecord the pure ledger code works with: the same fields, snake_case. Both stores use these. */
import type { ClaimInput, ClaimRecord } from '../../ledger/decide';
import type { ClaimBatch, CompletedClaim } from '../../domain/store';

export interface ClaimRow {
  handoff: string;
  key: string;
  state: ClaimRecord['state'];
  attempt: number;
  fingerprint: string | null;
  claimed_at: number;
  lease_expires_at: number | null;
  completed_at: number | null;
  released_at: number | null;
  execution_id: string | null;
  workflow_id: string | null;
  reason: string | null;
}

export const fromClaimRow = (r: ClaimRow): ClaimRecord => ({
  handoff: r.handoff,
  key: r.key,
  state: r.state,
  attempt: r.attempt,
  fingerprint: r.fingerprint,
  claimedAt: r.claimed_at,
  leaseExpiresAt: r.lease_expires_at,
  completedAt: r.completed_at,
  releasedAt: r.released_at,
  executionId: r.execution_id,
  workflowId: r.workflow_id,
  reason: r.reason,
});

/** The JSON shape json_populate_recordset(NULL::claims, …) reads: one object per row. */
export const toClaimRow = (r: ClaimRecord): ClaimRow => ({
  handoff: r.handoff,
  key: r.key,
  state: r.state,
  attempt: r.attempt,
  fingerprint: r.fingerprint,
  claimed_at: r.claimedAt,
  lease_expires_at: r.leaseExpiresAt,
  completed_at: r.completedAt,
  released_at: r.releasedAt,
  execution_id: r.executionId,
  workflow_id: r.workflowId,
  reason: r.reason,
});

/** A batch shares one lease expiry; format it once instead of once per key. */
export function isoCache(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

/** What decideClaim is asked about one item of a claim batch. */
export const claimInput = (batch: ClaimBatch, item: ClaimBatch['items'][number], now: number, retentionMs: number): ClaimInput => ({
  handoff: batch.handoff,
  key: item.key,
  fingerprint: item.fingerprint,
  leaseMs: batch.leaseMs,
  now,
  retentionMs,
  executionId: batch.executionId,
  workflowId: batch.workflowId,
});

/** A completed claim as the dashboard and the Monday report list it. */
export type CompletionRow = Pick<ClaimRow, 'handoff' | 'key' | 'attempt' | 'claimed_at' | 'execution_id'> & { completed_at: number };

export const fromCompletionRow = (r: CompletionRow): CompletedClaim => ({
  handoff: r.handoff,
  key: r.key,
  attempt: r.attempt,
  claimedAt: r.claimed_at,
  completedAt: r.completed_at,
  executionId: r.execution_id,
});
