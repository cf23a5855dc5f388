/**
 * The ledger on SQLite: statements prepared once, each batch one IMMEDIATE transaction, so claims
 * are atomic within this process and against any other process on the same file.
 */
import type { ClaimResult, SettleResult } from '../../../../protocol/ledger';
import { ClaimRecord, decideClaim, decideSettle } from '../../ledger/decide';
import { SettleAction } from '../../domain/claims';
import type { ClaimBatch, ClaimCounter, LedgerStore, SettleBatch } from '../../domain/store';
import { claimInput, type ClaimRow, fromClaimRow, isoCache } from '../rows/claims';
import type { SqliteDb } from './open';

export function createSqliteLedger(db: SqliteDb, opts: { retentionMs: number }): LedgerStore {
  const select = db.prepare<[string, string], ClaimRow>('SELECT * FROM claims WHERE handoff = ? AND key = ?');
  const COLUMNS = `(handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at,
                    completed_at, released_at, execution_id, workflow_id, reason)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  // Most keys in a batch are new: one INSERT that does nothing on a known key saves the SELECT. It
  // writes what decideClaim writes for a key it has no record of (attempt 1, claimed, nothing settled)
  // and binds only what varies: each bound value costs, and this runs once per key of every batch.
  const insertNew = db.prepare(`
    INSERT INTO claims (handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at, execution_id, workflow_id)
    VALUES (?, ?, 'claimed', 1, ?, ?, ?, ?, ?)
    ON CONFLICT (handoff, key) DO NOTHING`);
  const firstAttempt = (r: ClaimRecord) => [r.handoff, r.key, r.fingerprint, r.claimedAt, r.leaseExpiresAt, r.executionId, r.workflowId];
  const upsert = db.prepare(`
    INSERT INTO claims ${COLUMNS}
    ON CONFLICT (handoff, key) DO UPDATE SET
      state = excluded.state, attempt = excluded.attempt, fingerprint = excluded.fingerprint,
      claimed_at = excluded.claimed_at, lease_expires_at = excluded.lease_expires_at,
      completed_at = excluded.completed_at, released_at = excluded.released_at,
      execution_id = excluded.execution_id, workflow_id = excluded.workflow_id, reason = excluded.reason`);
  const params = (r: ClaimRecord) => [
    r.handoff,
    r.key,
    r.state,
    r.attempt,
    r.fingerprint,
    r.claimedAt,
    r.leaseExpiresAt,
    r.completedAt,
    r.releasedAt,
    r.executionId,
    r.workflowId,
    r.reason,
  ];
  const insertEvent = db.prepare('INSERT INTO events (handoff, key, kind, at, execution_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  const bumpCounter = db.prepare(`
    INSERT INTO claim_counters (handoff, decision, count) VALUES (?, ?, ?)
    ON CONFLICT (handoff, decision) DO UPDATE SET count = count + excluded.count`);
  const purge = db.prepare("DELETE FROM claims WHERE state = 'completed' AND completed_at <= ?");
  const counters = db.prepare<[], ClaimCounter>('SELECT handoff, decision, count FROM claim_counters');

  const claimTx = db.transaction((batch: ClaimBatch, now: number): ClaimResult[] => {
    const tally = new Map<string, number>();
    const iso = isoCache();
    const results = batch.items.map((item) => {
      const input = claimInput(batch, item, now, opts.retentionMs);
      // The decision for "no record" is taken first; the INSERT tells whether there was none.
      let outcome = decideClaim(undefined, input);
      if (insertNew.run(firstAttempt(outcome.write!)).changes === 0) {
        const row = select.get(batch.handoff, item.key);
        outcome = decideClaim(row && fromClaimRow(row), input);
        if (outcome.write) upsert.run(params(outcome.write));
      }
      if (outcome.expiredLease) {
        insertEvent.run(
          batch.handoff,
          item.key,
          'lease_expired',
          now,
          outcome.expiredLease.executionId,
          JSON.stringify({
            attempt: outcome.expiredLease.attempt,
            leaseExpiresAt: new Date(outcome.expiredLease.leaseExpiresAt).toISOString(),
          }),
        );
      }
      tally.set(outcome.decision, (tally.get(outcome.decision) ?? 0) + 1);
      const r = outcome.record;
      const result: ClaimResult = { key: item.key, decision: outcome.decision, attempt: r.attempt, state: r.state };
      if (outcome.reason) result.reason = outcome.reason;
      if (r.state === 'claimed' && r.leaseExpiresAt !== null) result.leaseExpiresAt = iso(r.leaseExpiresAt);
      return result;
    });
    for (const [decision, count] of tally) bumpCounter.run(batch.handoff, decision, count);
    return results;
  });

  const settleTx = db.transaction((action: SettleAction, batch: SettleBatch, now: number): SettleResult[] =>
    batch.keys.map((key) => {
      const row = select.get(batch.handoff, key);
      const outcome = decideSettle(row && fromClaimRow(row), action, now, batch.reason);
      if (outcome.write) {
        upsert.run(params(outcome.write));
        // The attempt rides along: "recovered: completed at attempt N" reads it from the trace.
        insertEvent.run(
          batch.handoff,
          key,
          action === 'complete' ? 'completed' : 'released',
          now,
          outcome.write.executionId,
          JSON.stringify({ attempt: outcome.write.attempt, ...(batch.reason ? { reason: batch.reason } : {}) }),
        );
      }
      const result: SettleResult = { key, outcome: outcome.outcome };
      if (outcome.record) {
        result.state = outcome.record.state;
        result.attempt = outcome.record.attempt;
      }
      return result;
    }),
  );

  return {
    async claim(batch, now) {
      return claimTx.immediate(batch, now);
    },
    async settle(action, batch, now) {
      return settleTx.immediate(action, batch, now);
    },
    async purgeCompleted(now) {
      return purge.run(now - opts.retentionMs).changes;
    },
    async claimCounters() {
      return counters.all();
    },
  };
}
