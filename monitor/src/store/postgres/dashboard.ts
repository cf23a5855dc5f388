/**
 * Dashboard and Monday-report reads on Postgres (as sqlite/dashboard.ts). Each walks an index over
 * recent or bounded rows: execution_buckets' primary key, partial indexes on incidents, claims and
 * the outbox; "last success" is one index seek per handoff, all in one statement.
 */
import type { Pool } from 'pg';
import { toWire } from '../../incidents/record';
import type { CompletedClaim, DashboardStore, RunBucket } from '../../domain/store';
import { type CompletionRow, fromCompletionRow } from '../rows/claims';
import { fromIncidentRow, type IncidentRow } from './incident-rows';
import { run, type Statement } from './pool';

const statement = (name: string, text: string): Statement => ({ name: `handoff-dashboard-${name}`, text });
const BUCKETS = statement(
  'buckets',
  'SELECT handoff, bucket, runs, failed FROM execution_buckets WHERE resolution = $1 AND bucket >= $2 ORDER BY bucket',
);
const LAST_SUCCESS = statement(
  'last-success',
  `SELECT h AS handoff,
     (SELECT max(stopped_at) FROM executions WHERE handoff = h AND status = 'success') AS at
   FROM unnest($1::text[]) AS h`,
);
const UNRESOLVED = statement(
  'unresolved',
  "SELECT * FROM incidents WHERE state <> 'resolved' ORDER BY last_seen_at DESC, id DESC LIMIT $1",
);
const SEEN_SINCE = statement('seen-since', 'SELECT * FROM incidents WHERE last_seen_at >= $1 ORDER BY last_seen_at DESC, id DESC LIMIT $2');
const COMPLETIONS = statement(
  'completions',
  `SELECT handoff, key, attempt, claimed_at, completed_at, execution_id FROM claims
   WHERE state = 'completed' ORDER BY completed_at DESC LIMIT $1`,
);
const PENDING = statement('pending-alerts', "SELECT count(*) AS n FROM alert_outbox WHERE state = 'pending'");

export function createPostgresDashboard(pool: Pool): DashboardStore {
  return {
    async runBuckets(resolutionMs, since) {
      return (await run<RunBucket>(pool, BUCKETS, [resolutionMs, since])).rows;
    },
    async lastSuccess(handoffs) {
      if (handoffs.length === 0) return [];
      const { rows } = await run<{ handoff: string; at: number | null }>(pool, LAST_SUCCESS, [handoffs]);
      return rows.filter((r): r is { handoff: string; at: number } => r.at !== null);
    },
    async unresolvedIncidents(limit) {
      return (await run<IncidentRow>(pool, UNRESOLVED, [limit])).rows.map((r) => toWire(fromIncidentRow(r)));
    },
    async incidentsSeenSince(since, limit) {
      return (await run<IncidentRow>(pool, SEEN_SINCE, [since, limit])).rows.map((r) => toWire(fromIncidentRow(r)));
    },
    async recentCompletions(limit) {
      return (await run<CompletionRow>(pool, COMPLETIONS, [limit])).rows.map((r): CompletedClaim => fromCompletionRow(r));
    },
    async pendingAlerts() {
      return (await run<{ n: number }>(pool, PENDING)).rows[0]?.n ?? 0;
    },
  };
}
