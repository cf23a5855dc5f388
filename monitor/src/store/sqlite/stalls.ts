/** What the stall detectors read on SQLite; every query walks a partial index, never the history. */
import type { AwaitingOutcome, OpenClaim, StallStore } from '../../domain/store';
import type { SqliteDb } from './open';

export function createSqliteStalls(db: SqliteDb): StallStore {
  // claims_live_leases indexes exactly the rows in state 'claimed'; the claim hot path pays nothing new.
  const openClaims = db.prepare<
    [number],
    { handoff: string; key: string; claimed_at: number; lease_expires_at: number | null; execution_id: string | null }
  >(`
    SELECT handoff, key, claimed_at, lease_expires_at, execution_id FROM claims INDEXED BY claims_live_leases
    WHERE state = 'claimed' AND lease_expires_at IS NOT NULL ORDER BY lease_expires_at LIMIT ?`);
  const awaiting = db.prepare<
    [string, number, number],
    { id: string; handoff: string; workflow_id: string; stopped_at: number; outcome: string; completed: number }
  >(`
    SELECT e.id, e.handoff, e.workflow_id, e.stopped_at, e.outcome,
      EXISTS (SELECT 1 FROM claims c WHERE c.handoff = e.handoff AND c.execution_id = e.id AND c.state = 'completed') AS completed
    FROM executions e
    WHERE e.handoff = ? AND e.outcome IN ('pending', 'missing') AND e.stopped_at <= ?
    ORDER BY e.stopped_at LIMIT ?`);
  const settle = db.prepare('UPDATE executions SET outcome = ? WHERE id = ?');
  const watch = db.prepare(
    'INSERT INTO handoff_activity (handoff, last_run_at, watching_since) VALUES (?, NULL, ?) ON CONFLICT (handoff) DO NOTHING',
  );
  const activity = db.prepare<[], { handoff: string; last_run_at: number | null; watching_since: number }>(
    'SELECT handoff, last_run_at, watching_since FROM handoff_activity',
  );
  const settleTx = db.transaction((updates: { id: string; outcome: string }[]) => {
    for (const u of updates) settle.run(u.outcome, u.id);
  });
  const watchTx = db.transaction((handoffs: string[], now: number) => {
    for (const h of handoffs) watch.run(h, now);
  });

  return {
    async openClaims(limit) {
      return openClaims.all(limit).map(
        (r): OpenClaim => ({
          handoff: r.handoff,
          key: r.key,
          claimedAt: r.claimed_at,
          leaseExpiresAt: r.lease_expires_at,
          executionId: r.execution_id,
        }),
      );
    },
    async awaitingOutcome(handoff, stoppedBefore, limit) {
      return awaiting.all(handoff, stoppedBefore, limit).map(
        (r): AwaitingOutcome => ({
          id: r.id,
          handoff: r.handoff,
          workflowId: r.workflow_id,
          stoppedAt: r.stopped_at,
          completed: r.completed === 1,
          missing: r.outcome === 'missing',
        }),
      );
    },
    async settleOutcomes(updates) {
      if (updates.length) settleTx.immediate(updates);
    },
    async watch(handoffs, now) {
      if (handoffs.length) watchTx.immediate(handoffs, now);
    },
    async activity() {
      return activity.all().map((r) => ({ handoff: r.handoff, lastRunAt: r.last_run_at, watchingSince: r.watching_since }));
    },
  };
}
