/** What the stall detectors read on Postgres (as sqlite/stalls.ts); each query walks a partial index. */
import type { Pool } from 'pg';
import type { AwaitingOutcome, OpenClaim, StallStore } from '../../domain/store';
import { run, type Statement } from './pool';

const statement = (name: string, text: string): Statement => ({ name: `handoff-stalls-${name}`, text });
// claims_live_leases indexes exactly the rows in state 'claimed'.
const OPEN_CLAIMS = statement(
  'open-claims',
  `SELECT handoff, key, claimed_at, lease_expires_at, execution_id FROM claims
   WHERE state = 'claimed' AND lease_expires_at IS NOT NULL ORDER BY lease_expires_at LIMIT $1`,
);
const AWAITING = statement(
  'awaiting',
  `SELECT e.id, e.handoff, e.workflow_id, e.stopped_at, e.outcome,
     EXISTS (SELECT 1 FROM claims c WHERE c.handoff = e.handoff AND c.execution_id = e.id AND c.state = 'completed') AS completed
   FROM executions e
   WHERE e.handoff = $1 AND e.outcome IN ('pending', 'missing') AND e.stopped_at <= $2
   ORDER BY e.stopped_at LIMIT $3`,
);
const SETTLE = statement(
  'settle',
  `UPDATE executions AS e SET outcome = u.outcome
   FROM json_to_recordset($1::json) AS u (id text, outcome text) WHERE e.id = u.id`,
);
const WATCH = statement(
  'watch',
  `INSERT INTO handoff_activity (handoff, last_run_at, watching_since)
   SELECT h, NULL, $2 FROM unnest($1::text[]) AS h ON CONFLICT (handoff) DO NOTHING`,
);
const ACTIVITY = statement('activity', 'SELECT handoff, last_run_at, watching_since FROM handoff_activity');

export function createPostgresStalls(pool: Pool): StallStore {
  return {
    async openClaims(limit) {
      const { rows } = await run<{
        handoff: string;
        key: string;
        claimed_at: number;
        lease_expires_at: number | null;
        execution_id: string | null;
      }>(pool, OPEN_CLAIMS, [limit]);
      return rows.map(
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
      const { rows } = await run<{
        id: string;
        handoff: string;
        workflow_id: string;
        stopped_at: number;
        outcome: string;
        completed: boolean;
      }>(pool, AWAITING, [handoff, stoppedBefore, limit]);
      return rows.map(
        (r): AwaitingOutcome => ({
          id: r.id,
          handoff: r.handoff,
          workflowId: r.workflow_id,
          stoppedAt: r.stopped_at,
          completed: r.completed === true,
          missing: r.outcome === 'missing',
        }),
      );
    },
    // Single statements: each is atomic, as the SQLite transactions are.
    async settleOutcomes(updates) {
      // The last word on an execution wins, as when SQLite applies the list in order.
      const last = [...new Map(updates.map((u) => [u.id, u])).values()];
      if (last.length) await run(pool, SETTLE, [JSON.stringify(last)]);
    },
    async watch(handoffs, now) {
      if (handoffs.length) await run(pool, WATCH, [handoffs, now]);
    },
    async activity() {
      const { rows } = await run<{ handoff: string; last_run_at: number | null; watching_since: number }>(pool, ACTIVITY);
      return rows.map((r) => ({ handoff: r.handoff, lastRunAt: r.last_run_at, watchingSince: r.watching_since }));
    },
  };
}
