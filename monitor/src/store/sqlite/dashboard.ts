/**
 * Dashboard and Monday-report reads on SQLite. Each walks an index over recent or bounded rows:
 * execution_buckets by its primary key, the partial indexes on incidents, claims and the outbox.
 */
import { toWire } from '../../incidents/record';
import type { CompletedClaim, DashboardStore, RunBucket } from '../../domain/store';
import { type CompletionRow, fromCompletionRow } from '../rows/claims';
import { fromRow, type IncidentRow } from './incidents';
import type { SqliteDb } from './open';

export function createSqliteDashboard(db: SqliteDb): DashboardStore {
  const buckets = db.prepare<[number, number], RunBucket>(
    'SELECT handoff, bucket, runs, failed FROM execution_buckets WHERE resolution = ? AND bucket >= ? ORDER BY bucket',
  );
  // json_each turns the id list into rows; each correlated MAX is one seek in executions_last_success.
  const lastSuccess = db.prepare<[string], { handoff: string; at: number | null }>(`
    SELECT h.value AS handoff,
      (SELECT MAX(stopped_at) FROM executions WHERE handoff = h.value AND status = 'success') AS at
    FROM json_each(?) AS h`);
  // incidents_open_dedup is partial on exactly the unresolved rows: the resolved history is never read.
  const unresolved = db.prepare<[number], IncidentRow>(`
    SELECT * FROM incidents INDEXED BY incidents_open_dedup WHERE state <> 'resolved'
    ORDER BY last_seen_at DESC, id DESC LIMIT ?`);
  const seenSince = db.prepare<[number, number], IncidentRow>(`
    SELECT * FROM incidents INDEXED BY incidents_by_time WHERE last_seen_at >= ?
    ORDER BY last_seen_at DESC, id DESC LIMIT ?`);
  const completions = db.prepare<[number], CompletionRow>(`
    SELECT handoff, key, attempt, claimed_at, completed_at, execution_id FROM claims INDEXED BY claims_completed
    WHERE state = 'completed' ORDER BY completed_at DESC LIMIT ?`);
  const pending = db.prepare<[], { n: number }>(
    "SELECT COUNT(*) AS n FROM alert_outbox INDEXED BY alert_outbox_due WHERE state = 'pending'",
  );

  return {
    async runBuckets(resolutionMs, since) {
      return buckets.all(resolutionMs, since);
    },
    async lastSuccess(handoffs) {
      if (handoffs.length === 0) return [];
      return lastSuccess.all(JSON.stringify(handoffs)).filter((r): r is { handoff: string; at: number } => r.at !== null);
    },
    async unresolvedIncidents(limit) {
      return unresolved.all(limit).map((r) => toWire(fromRow(r)));
    },
    async incidentsSeenSince(since, limit) {
      return seenSince.all(since, limit).map((r) => toWire(fromRow(r)));
    },
    async recentCompletions(limit) {
      return completions.all(limit).map((r): CompletedClaim => fromCompletionRow(r));
    },
    async pendingAlerts() {
      return pending.get()?.n ?? 0;
    },
  };
}
