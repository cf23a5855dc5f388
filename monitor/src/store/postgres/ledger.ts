/**
 * The ledger on Postgres. Atomic across every replica on the database because the database decides
 * who was first — the primary key and row locks — never a lock held in one process:
 *
 *   1. INSERT every key of the batch as a fresh claim, ON CONFLICT DO NOTHING: the keys it inserted
 *      were unknown, and a concurrent batch inserting the same key waits for this one to finish;
 *   2. SELECT … FOR UPDATE the keys that already existed, so nobody changes them until we commit;
 *   3. walk the items in request order through the pure decideClaim (as the SQLite store does),
 *      then UPDATE what changed, append lease expiries to the trace and bump the counters.
 *
 * Both statements take their locks in key order, so two batches over the same keys queue rather
 * than deadlock; if Postgres still reports one, inTransaction runs the batch again.
 */
import type { Pool, PoolClient } from 'pg';
import type { ClaimResult, SettleResult } from '../../../../protocol/ledger';
import { ClaimOutcome, ClaimRecord, decideClaim, decideSettle } from '../../ledger/decide';
import { SettleAction } from '../../domain/claims';
import type { ClaimBatch, ClaimCounter, HandoffEvent, LedgerStore, SettleBatch } from '../../domain/store';
import { insertEvents } from './events';
import { inTransaction, RetryTransaction, run, type Statement } from './pool';
import { claimInput, ClaimRow, fromClaimRow, isoCache, toClaimRow } from '../rows/claims';

/**
 * What decideClaim writes for a key it has no record of (attempt 1, claimed, nothing settled): only the
 * key and the fingerprint differ from key to key, so the batch travels as two arrays and four values
 * instead of a JSON row per key (a fifth of the bytes to send and for Postgres to parse).
 */
const INSERT_NEW: Statement = {
  name: 'handoff-claims-insert-first-attempts',
  text: `INSERT INTO claims (handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at, execution_id, workflow_id)
         SELECT $1, f.key, 'claimed', 1, f.fingerprint, $4, $5, $6, $7
         FROM unnest($2::text[], $3::text[]) AS f (key, fingerprint) ORDER BY f.key
         ON CONFLICT (handoff, key) DO NOTHING
         RETURNING key`,
};
const LOCK: Statement = {
  name: 'handoff-claims-lock',
  text: 'SELECT * FROM claims WHERE handoff = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE',
};
const UPDATE: Statement = {
  name: 'handoff-claims-update',
  text: `UPDATE claims AS c SET
           state = r.state, attempt = r.attempt, fingerprint = r.fingerprint, claimed_at = r.claimed_at,
           lease_expires_at = r.lease_expires_at, completed_at = r.completed_at, released_at = r.released_at,
           execution_id = r.execution_id, workflow_id = r.workflow_id, reason = r.reason
         FROM json_populate_recordset(NULL::claims, $1::json) AS r
         WHERE c.handoff = r.handoff AND c.key = r.key`,
};
// Counter rows are shared by every batch of a handoff: sorted, so batches lock them in one order.
const BUMP_COUNTERS: Statement = {
  name: 'handoff-claims-bump-counters',
  text: `INSERT INTO claim_counters (handoff, decision, count)
         SELECT $1, d.decision, d.count FROM unnest($2::text[], $3::bigint[]) AS d (decision, count) ORDER BY d.decision
         ON CONFLICT (handoff, decision) DO UPDATE SET count = claim_counters.count + excluded.count`,
};
const PURGE: Statement = {
  name: 'handoff-claims-purge',
  text: "DELETE FROM claims WHERE state = 'completed' AND completed_at <= $1",
};
const COUNTERS: Statement = {
  name: 'handoff-claims-counters',
  text: 'SELECT handoff, decision, count FROM claim_counters',
};

/** Locks the keys that exist (each once, in key order) and returns what the ledger holds for them. */
async function lockExisting(client: PoolClient, handoff: string, keys: string[]): Promise<Map<string, ClaimRecord>> {
  const held = new Map<string, ClaimRecord>();
  if (keys.length === 0) return held;
  const { rows } = await run<ClaimRow>(client, LOCK, [handoff, keys]);
  for (const row of rows) held.set(row.key, fromClaimRow(row));
  return held;
}

async function writeChanges(client: PoolClient, changed: Map<string, ClaimRecord>, events: HandoffEvent[]) {
  if (changed.size > 0) await run(client, UPDATE, [JSON.stringify([...changed.values()].map(toClaimRow))]);
  await insertEvents(client, events);
}

export function createPostgresLedger(pool: Pool, opts: { retentionMs: number }): LedgerStore {
  const claimBatch = async (client: PoolClient, batch: ClaimBatch, now: number): Promise<ClaimResult[]> => {
    const input = (item: ClaimBatch['items'][number]) => claimInput(batch, item, now, opts.retentionMs);

    // Step 1: what decideClaim writes for a key it has never seen, for each key's first occurrence.
    const fresh = new Map<string, ClaimOutcome>();
    for (const item of batch.items) if (!fresh.has(item.key)) fresh.set(item.key, decideClaim(undefined, input(item)));
    // The claim time, lease and execution are the batch's, the same in every first attempt.
    const firstAttempts = [...fresh.values()].map((o) => o.write!);
    const shared = firstAttempts[0];
    const { rows: insertedRows } = shared
      ? await run<{ key: string }>(client, INSERT_NEW, [
          batch.handoff,
          firstAttempts.map((r) => r.key),
          firstAttempts.map((r) => r.fingerprint),
          shared.claimedAt,
          shared.leaseExpiresAt,
          shared.executionId,
          shared.workflowId,
        ])
      : { rows: [] };
    const inserted = new Set(insertedRows.map((r) => r.key));

    // Step 2: the keys that were already known, locked until commit.
    const known = [...fresh.keys()].filter((k) => !inserted.has(k));
    const current = await lockExisting(client, batch.handoff, known);
    // A retention purge on another replica deleted a key between our INSERT and our lock.
    if (current.size !== known.length) throw new RetryTransaction('a known key vanished mid-batch');

    // Step 3: the decisions, in request order; a repeated key sees what its earlier occurrence did.
    const changed = new Map<string, ClaimRecord>();
    const events: HandoffEvent[] = [];
    const tally = new Map<string, number>();
    const iso = isoCache();
    const results = batch.items.map((item): ClaimResult => {
      let outcome: ClaimOutcome;
      if (!current.has(item.key) && inserted.has(item.key)) {
        outcome = fresh.get(item.key)!;
        current.set(item.key, outcome.record);
      } else {
        outcome = decideClaim(current.get(item.key), input(item));
        if (outcome.write) {
          current.set(item.key, outcome.write);
          changed.set(item.key, outcome.write);
        }
      }
      if (outcome.expiredLease) {
        events.push({
          handoff: batch.handoff,
          key: item.key,
          kind: 'lease_expired',
          at: now,
          executionId: outcome.expiredLease.executionId ?? undefined,
          details: { attempt: outcome.expiredLease.attempt, leaseExpiresAt: new Date(outcome.expiredLease.leaseExpiresAt).toISOString() },
        });
      }
      tally.set(outcome.decision, (tally.get(outcome.decision) ?? 0) + 1);
      const r = outcome.record;
      const result: ClaimResult = { key: item.key, decision: outcome.decision, attempt: r.attempt, state: r.state };
      if (outcome.reason) result.reason = outcome.reason;
      if (r.state === 'claimed' && r.leaseExpiresAt !== null) result.leaseExpiresAt = iso(r.leaseExpiresAt);
      return result;
    });

    await writeChanges(client, changed, events);
    const decisions = [...tally.keys()].sort();
    await run(client, BUMP_COUNTERS, [batch.handoff, decisions, decisions.map((d) => tally.get(d))]);
    return results;
  };

  const settleBatch = async (client: PoolClient, action: SettleAction, batch: SettleBatch, now: number): Promise<SettleResult[]> => {
    const current = await lockExisting(client, batch.handoff, [...new Set(batch.keys)]);
    const changed = new Map<string, ClaimRecord>();
    const events: HandoffEvent[] = [];
    const results = batch.keys.map((key): SettleResult => {
      const outcome = decideSettle(current.get(key), action, now, batch.reason);
      if (outcome.write) {
        current.set(key, outcome.write);
        changed.set(key, outcome.write);
        events.push({
          handoff: batch.handoff,
          key,
          kind: action === 'complete' ? 'completed' : 'released',
          at: now,
          executionId: outcome.write.executionId ?? undefined,
          // The attempt rides along: "recovered: completed at attempt N" reads it from the trace.
          details: { attempt: outcome.write.attempt, ...(batch.reason ? { reason: batch.reason } : {}) },
        });
      }
      const result: SettleResult = { key, outcome: outcome.outcome };
      if (outcome.record) {
        result.state = outcome.record.state;
        result.attempt = outcome.record.attempt;
      }
      return result;
    });
    await writeChanges(client, changed, events);
    return results;
  };

  return {
    claim: (batch, now) => inTransaction(pool, (client) => claimBatch(client, batch, now)),
    settle: (action, batch, now) => inTransaction(pool, (client) => settleBatch(client, action, batch, now)),
    async purgeCompleted(now) {
      return (await run(pool, PURGE, [now - opts.retentionMs])).rowCount ?? 0;
    },
    async claimCounters() {
      return (await run<ClaimCounter>(pool, COUNTERS)).rows;
    },
  };
}
