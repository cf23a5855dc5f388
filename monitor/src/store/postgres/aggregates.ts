/**
 * Precomputed figures for /metrics on Postgres, the same bookkeeping as sqlite/aggregates.ts.
 * On SQLite one writer at a time is a given; here several replicas ingest and tick at once, and a
 * window that moves while a run is being added to it would count that run twice or never. So every
 * transaction that writes aggregates first takes one advisory lock: they run one after another,
 * exactly as on SQLite, while claims and incidents (which never touch these tables) run freely.
 */
import type { Pool, PoolClient } from 'pg';
import { BUCKET_RETENTION, type DurationMetric, WINDOWS, type WindowSpan, windowHorizon } from '../../domain/metric-definitions';
import type { AggregateSnapshot, AggregateStore } from '../../domain/store';
import { AGGREGATES_LOCK } from './locks';
import { inTransaction, run, type Statement } from './pool';
import { countRuns, type FinishedRun, groupCounts, horizonsOf, oldestKeptBucket, windowMove } from '../rows/windows';
import { observeInto } from '../rows/histograms';

export type { FinishedRun };

/** Writers the execution store calls inside its upsert transaction (after lockAggregates). */
export interface AggregateWriters {
  countFinished(client: PoolClient, runs: FinishedRun[], now: number): Promise<void>;
  observe(client: PoolClient, metric: DurationMetric, handoff: string, seconds: number): Promise<void>;
}

const LOCK: Statement = { name: 'handoff-aggregates-lock', text: 'SELECT pg_advisory_xact_lock($1)' };
export const lockAggregates = (client: PoolClient) => run(client, LOCK, [AGGREGATES_LOCK]);

const BUMP_COUNTERS: Statement = {
  name: 'handoff-aggregates-bump-counters',
  text: `INSERT INTO execution_counters (handoff, status, count)
         SELECT handoff, status, count FROM json_to_recordset($1::json) AS r (handoff text, status text, count bigint)
         ON CONFLICT (handoff, status) DO UPDATE SET count = execution_counters.count + excluded.count`,
};
const BUMP_BUCKETS: Statement = {
  name: 'handoff-aggregates-bump-buckets',
  text: `INSERT INTO execution_buckets (resolution, bucket, handoff, runs, failed)
         SELECT resolution, bucket, handoff, count, failed
         FROM json_to_recordset($1::json) AS r (resolution bigint, bucket bigint, handoff text, count integer, failed integer)
         ON CONFLICT (resolution, bucket, handoff) DO UPDATE
         SET runs = execution_buckets.runs + excluded.runs, failed = execution_buckets.failed + excluded.failed`,
};
const BUMP_WINDOWS: Statement = {
  name: 'handoff-aggregates-bump-windows',
  text: `INSERT INTO window_totals (handoff, span, runs, failed)
         SELECT handoff, span, count, failed FROM json_to_recordset($1::json) AS r (handoff text, span text, count integer, failed integer)
         ON CONFLICT (handoff, span) DO UPDATE
         SET runs = window_totals.runs + excluded.runs, failed = window_totals.failed + excluded.failed`,
};
const HORIZONS: Statement = { name: 'handoff-aggregates-horizons', text: 'SELECT span, horizon FROM window_horizons' };
const HISTOGRAM: Statement = {
  name: 'handoff-aggregates-histogram',
  text: 'SELECT counts, sum, count FROM duration_histograms WHERE metric = $1 AND handoff = $2',
};
const SAVE_HISTOGRAM: Statement = {
  name: 'handoff-aggregates-save-histogram',
  text: `INSERT INTO duration_histograms (metric, handoff, counts, sum, count) VALUES ($1, $2, $3::json, $4, $5)
         ON CONFLICT (metric, handoff) DO UPDATE SET counts = excluded.counts, sum = excluded.sum, count = excluded.count`,
};

export const aggregateWriters: AggregateWriters = {
  async countFinished(client, runs, now) {
    if (runs.length === 0) return;
    // Grouped in memory first (rows/windows.ts), then one statement per table for the whole page.
    const { statuses, counts } = countRuns(runs);
    const { buckets, windows } = groupCounts(
      counts,
      horizonsOf((await run<{ span: string; horizon: number }>(client, HORIZONS)).rows),
      now,
    );
    await run(client, BUMP_COUNTERS, [JSON.stringify(statuses)]);
    if (buckets.length > 0) await run(client, BUMP_BUCKETS, [JSON.stringify(buckets)]);
    if (windows.length > 0) await run(client, BUMP_WINDOWS, [JSON.stringify(windows)]);
  },
  async observe(client, metric, handoff, seconds) {
    const { rows } = await run<{ counts: number[]; sum: number; count: number }>(client, HISTOGRAM, [metric, handoff]);
    const next = observeInto(rows[0], metric, seconds);
    await run(client, SAVE_HISTOGRAM, [metric, handoff, JSON.stringify(next.counts), next.sum, next.count]);
  },
};

const statement = (name: string, text: string): Statement => ({ name: `handoff-aggregates-${name}`, text });
const HORIZON_OF = statement('horizon-of', 'SELECT horizon FROM window_horizons WHERE span = $1');
const SET_HORIZON = statement(
  'set-horizon',
  'INSERT INTO window_horizons (span, horizon) VALUES ($1, $2) ON CONFLICT (span) DO UPDATE SET horizon = excluded.horizon',
);
/** Two series roll the same way: finished runs (runs, failed) and handoff pairs (seen, failed). */
const SERIES = [
  { name: 'runs', buckets: 'execution_buckets', totals: 'window_totals', count: 'runs' },
  { name: 'pairs', buckets: 'outcome_buckets', totals: 'outcome_windows', count: 'seen' },
].map((s) => ({
  CLEAR_WINDOW: statement(`${s.name}-clear-window`, `DELETE FROM ${s.totals} WHERE span = $1`),
  REFILL_WINDOW: statement(
    `${s.name}-refill-window`,
    `INSERT INTO ${s.totals} (handoff, span, ${s.count}, failed)
     SELECT handoff, $1::text, SUM(${s.count}), SUM(failed) FROM ${s.buckets} WHERE resolution = $2::bigint AND bucket >= $3::bigint GROUP BY handoff`,
  ),
  AGED: statement(
    `${s.name}-aged`,
    `SELECT handoff, SUM(${s.count}) AS n, SUM(failed) AS failed FROM ${s.buckets}
     WHERE resolution = $1 AND bucket >= $2 AND bucket < $3 GROUP BY handoff`,
  ),
  SUBTRACT: statement(
    `${s.name}-subtract`,
    `UPDATE ${s.totals} AS t SET ${s.count} = t.${s.count} - a.n, failed = t.failed - a.failed
     FROM json_to_recordset($1::json) AS a (handoff text, n integer, failed integer)
     WHERE t.handoff = a.handoff AND t.span = $2`,
  ),
  DROP_EMPTY: statement(`${s.name}-drop-empty`, `DELETE FROM ${s.totals} WHERE span = $1 AND ${s.count} <= 0`),
  PURGE_BUCKETS: statement(`${s.name}-purge-buckets`, `DELETE FROM ${s.buckets} WHERE resolution = $1 AND bucket < $2`),
}));
const STATE_GET = statement('state-get', 'SELECT value FROM collector_state WHERE name = $1');
const STATE_SET = statement(
  'state-set',
  'INSERT INTO collector_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
);
const RESOLVED_SINCE = statement(
  'resolved-since',
  `SELECT id, handoff, first_seen_at, resolved_at, idempotency_key FROM incidents
   WHERE resolved_at IS NOT NULL AND (resolved_at > $1 OR (resolved_at = $1 AND id > $2))
   ORDER BY resolved_at, id LIMIT $3`,
);
const SNAPSHOT = {
  claims: statement('snapshot-claims', 'SELECT handoff, decision, count FROM claim_counters'),
  executions: statement('snapshot-executions', 'SELECT handoff, status, count FROM execution_counters'),
  windows: statement('snapshot-windows', 'SELECT handoff, span, runs, failed FROM window_totals'),
  outcomeWindows: statement('snapshot-outcome-windows', 'SELECT handoff, span, seen, failed FROM outcome_windows'),
  histograms: statement('snapshot-histograms', 'SELECT metric, handoff, counts, sum, count FROM duration_histograms'),
  incidentsOpen: statement(
    'snapshot-incidents-open',
    `SELECT handoff, owner_name AS owner, severity, COUNT(*) AS count FROM incidents
     WHERE state <> 'resolved' GROUP BY handoff, owner_name, severity`,
  ),
  slaBreaches: statement(
    'snapshot-sla-breaches',
    // Purged incidents keep their breaches in purged_sla_breaches: the counter never goes down.
    `SELECT handoff, SUM(count)::bigint AS count FROM (
       SELECT handoff, COUNT(*) AS count FROM incidents WHERE escalated_at IS NOT NULL OR kind = 'stalled' GROUP BY handoff
       UNION ALL SELECT handoff, count FROM purged_sla_breaches) b
     GROUP BY handoff`,
  ),
  // Walks alert_outbox_dead (dead alerts only), then each one's incident by id.
  deadAlerts: statement(
    'snapshot-dead-alerts',
    `SELECT i.handoff AS handoff, COUNT(*) AS count FROM alert_outbox a JOIN incidents i ON i.id = a.incident_id
     WHERE a.state = 'dead' AND i.state <> 'resolved' GROUP BY i.handoff`,
  ),
};

/** Bounded per call so one fold never holds the lock for long; the next tick continues. */
const FOLD_BATCH = 1_000;

async function advanceIn(client: PoolClient, now: number) {
  await lockAggregates(client);
  for (const w of WINDOWS) {
    const next = windowHorizon(w, now);
    const previous = (await run<{ horizon: number }>(client, HORIZON_OF, [w.span])).rows[0]?.horizon;
    const move = windowMove(w, previous, next);
    if (move === 'none') continue;
    for (const s of SERIES) {
      if (move === 'refill') {
        await run(client, s.CLEAR_WINDOW, [w.span]);
        await run(client, s.REFILL_WINDOW, [w.span, w.resolutionMs, next]);
      } else {
        const { rows } = await run(client, s.AGED, [w.resolutionMs, previous!, next]);
        if (rows.length > 0) await run(client, s.SUBTRACT, [JSON.stringify(rows), w.span]);
        await run(client, s.DROP_EMPTY, [w.span]);
      }
    }
    await run(client, SET_HORIZON, [w.span, next]);
  }
  for (const s of SERIES) {
    for (const [resolution, keepMs] of BUCKET_RETENTION)
      await run(client, s.PURGE_BUCKETS, [resolution, oldestKeptBucket(now, resolution, keepMs)]);
  }
}

async function foldIn(client: PoolClient): Promise<number> {
  await lockAggregates(client);
  const mark = (await run<{ value: string }>(client, STATE_GET, ['recovery_fold'])).rows[0];
  const [at, id] = mark ? (JSON.parse(mark.value) as [number, number]) : [-1, 0];
  const { rows } = await run<{ id: number; handoff: string; first_seen_at: number; resolved_at: number; idempotency_key: string | null }>(
    client,
    RESOLVED_SINCE,
    [at, id, FOLD_BATCH],
  );
  // An incident tied to a key is measured with its pair (outcomes/decide.ts); only keyless ones here.
  for (const r of rows) {
    if (r.idempotency_key === null)
      await aggregateWriters.observe(client, 'time_to_recovery', r.handoff, (r.resolved_at - r.first_seen_at) / 1000);
  }
  const last = rows[rows.length - 1];
  if (last) await run(client, STATE_SET, ['recovery_fold', JSON.stringify([last.resolved_at, last.id])]);
  return rows.length;
}

export function createPostgresAggregates(pool: Pool): AggregateStore {
  return {
    advance: (now) => inTransaction(pool, (client) => advanceIn(client, now)),
    observe: (metric, handoff, seconds) =>
      inTransaction(pool, async (client) => {
        await lockAggregates(client);
        await aggregateWriters.observe(client, metric, handoff, seconds);
      }),
    foldResolvedIncidents: () => inTransaction(pool, foldIn),
    // One REPEATABLE READ transaction, so every family of a scrape comes from the same instant.
    snapshot: () =>
      inTransaction(pool, async (client): Promise<AggregateSnapshot> => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const all = async <R>(s: Statement): Promise<R[]> => (await run(client, s)).rows as R[];
        return {
          claims: await all<AggregateSnapshot['claims'][number]>(SNAPSHOT.claims),
          executions: await all<AggregateSnapshot['executions'][number]>(SNAPSHOT.executions),
          windows: (await all<{ handoff: string; span: string; runs: number; failed: number }>(SNAPSHOT.windows)).map((w) => ({
            ...w,
            span: w.span as WindowSpan,
          })),
          outcomeWindows: (await all<{ handoff: string; span: string; seen: number; failed: number }>(SNAPSHOT.outcomeWindows)).map(
            (w) => ({
              ...w,
              span: w.span as WindowSpan,
            }),
          ),
          histograms: await all<AggregateSnapshot['histograms'][number]>(SNAPSHOT.histograms),
          incidentsOpen: await all<AggregateSnapshot['incidentsOpen'][number]>(SNAPSHOT.incidentsOpen),
          slaBreaches: await all<AggregateSnapshot['slaBreaches'][number]>(SNAPSHOT.slaBreaches),
          deadAlerts: await all<{ handoff: string; count: number }>(SNAPSHOT.deadAlerts),
        };
      }),
  };
}
