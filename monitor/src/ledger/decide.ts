/**
 * The claim decision: given what the ledger holds for a key, what happens to a new claim on it.
 * Pure, so every rule of docs/architecture.md ("Ledger API") has a table test; the stores only persist the result.
 */
import type { ClaimDecision, ClaimState } from '../../../protocol/ledger';
import type { SettleAction } from '../domain/claims';

export interface ClaimRecord {
  handoff: string;
  key: string;
  state: ClaimState;
  attempt: number;
  fingerprint: string | null;
  claimedAt: number;
  leaseExpiresAt: number | null;
  completedAt: number | null;
  releasedAt: number | null;
  executionId: string | null;
  workflowId: string | null;
  reason: string | null;
}

export interface ClaimInput {
  handoff: string;
  key: string;
  fingerprint?: string;
  leaseMs: number;
  now: number;
  /** Completed keys older than this are forgotten (docs/architecture.md: retention window, default 30 days). */
  retentionMs: number;
  executionId?: string;
  workflowId?: string;
}

export interface ClaimOutcome {
  decision: ClaimDecision;
  /** The record to store, or undefined when the ledger is left as it was. */
  write?: ClaimRecord;
  /** The record the caller should report (the stored one after the write). */
  record: ClaimRecord;
  reason?: string;
  /** A lease that ran out before complete/release: a stall to record (docs/architecture.md detector (a)). */
  expiredLease?: { attempt: number; leaseExpiresAt: number; executionId: string | null };
}

export function decideClaim(existing: ClaimRecord | undefined, input: ClaimInput): ClaimOutcome {
  const fresh = (attempt: number): ClaimRecord => ({
    handoff: input.handoff,
    key: input.key,
    state: 'claimed',
    attempt,
    fingerprint: input.fingerprint ?? existing?.fingerprint ?? null,
    claimedAt: input.now,
    leaseExpiresAt: input.now + input.leaseMs,
    completedAt: null,
    releasedAt: null,
    executionId: input.executionId ?? null,
    workflowId: input.workflowId ?? null,
    reason: null,
  });

  // A completed key past retention is as good as never seen: it starts over at attempt 1.
  if (!existing || (existing.state === 'completed' && (existing.completedAt ?? 0) + input.retentionMs <= input.now)) {
    const record = fresh(1);
    return { decision: 'new', write: record, record };
  }

  if (input.fingerprint && existing.fingerprint && input.fingerprint !== existing.fingerprint) {
    return {
      decision: 'conflict',
      record: existing,
      reason: 'this key was claimed before with different data (fingerprint differs); decide which version is right before retrying',
    };
  }

  switch (existing.state) {
    case 'completed':
      return { decision: 'duplicate', record: existing, reason: 'completed' };
    case 'claimed':
      if (existing.leaseExpiresAt !== null && existing.leaseExpiresAt > input.now) {
        return { decision: 'in_progress', record: existing, reason: 'another execution holds a live lease' };
      }
      {
        const record = fresh(existing.attempt + 1);
        return {
          decision: 'new',
          write: record,
          record,
          reason: 'previous lease expired',
          expiredLease: {
            attempt: existing.attempt,
            leaseExpiresAt: existing.leaseExpiresAt ?? input.now,
            executionId: existing.executionId,
          },
        };
      }
    case 'released': {
      const record = fresh(existing.attempt + 1);
      return { decision: 'new', write: record, record, reason: 'previous attempt released' };
    }
  }
}

export interface SettleOutcome {
  outcome: 'completed' | 'released' | 'already_completed' | 'already_released' | 'not_found';
  write?: ClaimRecord;
  record?: ClaimRecord;
}

/**
 * Complete or release a key. Completing wins over everything but an unknown key: once the work is
 * done, no later claim may redo it. A completed key cannot be released (it would invite a duplicate).
 */
export function decideSettle(existing: ClaimRecord | undefined, action: SettleAction, now: number, reason?: string): SettleOutcome {
  if (!existing) return { outcome: 'not_found' };
  if (existing.state === 'completed') return { outcome: 'already_completed', record: existing };
  if (action === 'complete') {
    const record: ClaimRecord = { ...existing, state: 'completed', completedAt: now, leaseExpiresAt: null, reason: reason ?? null };
    return { outcome: 'completed', write: record, record };
  }
  if (existing.state === 'released') return { outcome: 'already_released', record: existing };
  const record: ClaimRecord = { ...existing, state: 'released', releasedAt: now, leaseExpiresAt: null, reason: reason ?? null };
  return { outcome: 'released', write: record, record };
}
