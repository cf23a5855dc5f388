/**
 * Precomputed figures for /metrics on SQLite. Ingest adds to counters, time buckets and rolling
 * window totals in the collector's own transaction; `advance` subtracts the buckets that left a
 * window. A scrape then reads a few thousand small rows at most, whatever the history holds.
 */
import { BUCKET_RETENTION, type DurationMetric, WINDOWS, type WindowSpan, windowHorizon } from '../../domain/metric-definitions';
import type { AggregateSnapshot, AggregateStore } from '../../domain/store';
import type { SqliteDb } from './open';
import { countRuns, type FinishedRun, groupCounts, horizonsOf, oldestKeptBucket, windowMove } from '../rows/windows';
import { observeInto } from '../rows/histograms';

export type { FinishedRun };

/** Writers the execution store calls inside its upsert transaction. */
export interface AggregateWriters {
  countFinished(runs: FinishedRun[], now: number): void;
  observe(metric: DurationMetric, handoff: string, seconds: number): void;
  /** Bumped by every observe: histograms change only through here, so a scrape re-reads them only when it moved. */
  histogramWrites: number;
}

export function prepareAggregateWriters(db: SqliteDb): AggregateWriters {
  const bumpCounter = db.prepare(`
    INSERT INTO execution_counters (handoff, status, count) VALUES (?, ?, ?)
    ON CONFLICT (handoff, status) DO UPDATE SET count = count + excluded.count`);
  const bumpBucket = db.prepare(`
    INSERT INTO execution_buckets (resolution, bucket, handoff, runs, failed) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (resolution, bucket, handoff) DO UPDATE SET runs = runs + excluded.runs, failed = failed + excluded.failed`);
  const bumpWindow = db.prepare(`
    INSERT INTO window_totals (handoff, span, runs, failed) VALUES (?, ?, ?, ?)
    ON CONFLICT (handoff, span) DO UPDATE SET runs = runs + excluded.runs, failed = failed + excluded.failed`);
  const horizons = db.prepare<[], { span: string; horizon: number }>('SELECT span, horizon FROM window_horizons');
  const histogram = db.prepare<[string, string], { counts: string; sum: number; count: number }>(
    'SELECT counts, sum, count FROM duration_histograms WHERE metric = ? AND handoff = ?',
  );
  const saveHistogram = db.prepare(`
    INSERT INTO duration_histograms (metric, handoff, counts, sum, count) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (metric, handoff) DO UPDATE SET counts = excluded.counts, sum = excluded.sum, count = excluded.count`);

  const writers: AggregateWriters = {
    histogramWrites: 0,
    countFinished(runs, now) {
      if (runs.length === 0) return;
      // Grouped in memory first (rows/windows.ts): a page of 250 runs of one handoff is a handful of statements, not 1,000.
      const { statuses, counts } = countRuns(runs);
      const { buckets, windows } = groupCounts(counts, horizonsOf(horizons.all()), now);
      for (const c of statuses) bumpCounter.run(c.handoff, c.status, c.count);
      for (const b of buckets) bumpBucket.run(b.resolution, b.bucket, b.handoff, b.count, b.failed);
      for (const w of windows) bumpWindow.run(w.handoff, w.span, w.count, w.failed);
    },
    observe(metric, handoff, seconds) {
      const row = histogram.get(metric, handoff);
      const next = observeInto(row && { ...row, counts: JSON.parse(row.counts) as number[] }, metric, seconds);
      saveHistogram.run(metric, handoff, JSON.stringify(next.counts), next.sum, next.count);
      writers.histogramWrites++;
    },
  };
  return writers;
}

export function createSqliteAggregates(db: SqliteDb, writers: AggregateWriters): AggregateStore {
  const horizonOf = db.prepare<[string], { horizon: number }>('SELECT horizon FROM window_horizons WHERE span = ?');
  const setHorizon = db.prepare(`
    INSERT INTO window_horizons (span, horizon) VALUES (?, ?) ON CONFLICT (span) DO UPDATE SET horizon = excluded.horizon`);
  // Two series roll the same way: finished runs (runs, failed) and handoff pairs (seen, failed).
  const series = [
    { buckets: 'execution_buckets', totals: 'window_totals', count: 'runs' },
    { buckets: 'outcome_buckets', totals: 'outcome_windows', count: 'seen' },
  ].map((s) => ({
    clearWindow: db.prepare(`DELETE FROM ${s.totals} WHERE span = ?`),
    refillWindow: db.prepare(`
      INSERT INTO ${s.totals} (handoff, span, ${s.count}, failed)
      SELECT handoff, ?, SUM(${s.count}), SUM(failed) FROM ${s.buckets} WHERE resolution = ? AND bucket >= ? GROUP BY handoff`),
    aged: db.prepare<[number, number, number], { handoff: string; n: number; failed: number }>(`
      SELECT handoff, SUM(${s.count}) AS n, SUM(failed) AS failed FROM ${s.buckets}
      WHERE resolution = ? AND bucket >= ? AND bucket < ? GROUP BY handoff`),
    subtract: db.prepare(`UPDATE ${s.totals} SET ${s.count} = ${s.count} - ?, failed = failed - ? WHERE handoff = ? AND span = ?`),
    dropEmpty: db.prepare(`DELETE FROM ${s.totals} WHERE span = ? AND ${s.count} <= 0`),
    purgeBuckets: db.prepare(`DELETE FROM ${s.buckets} WHERE resolution = ? AND bucket < ?`),
  }));

  const stateGet = db.prepare<[string], { value: string }>('SELECT value FROM collector_state WHERE name = ?');
  const stateSet = db.prepare(
    'INSERT INTO collector_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  );
  const resolvedSince = db.prepare<
    [number, number, number, number],
    { id: number; handoff: string; first_seen_at: number; resolved_at: number; idempotency_key: string | null }
  >(`
    SELECT id, handoff, first_seen_at, resolved_at, idempotency_key FROM incidents
    WHERE resolved_at IS NOT NULL AND (resolved_at > ? OR (resolved_at = ? AND id > ?))
    ORDER BY resolved_at, id LIMIT ?`);

  // Raw rows (arrays) for the thousands-of-rows reads: a scrape at 1,000 handoffs spends its time here.
  const claims = db.prepare<[], [string, string, number]>('SELECT handoff, decision, count FROM claim_counters').raw(true);
  const executions = db.prepare<[], [string, string, number]>('SELECT handoff, status, count FROM execution_counters').raw(true);
  const windows = db.prepare<[], [string, WindowSpan, number, number]>('SELECT handoff, span, runs, failed FROM window_totals').raw(true);
  const outcomeWindows = db
    .prepare<[], [string, WindowSpan, number, number]>('SELECT handoff, span, seen, failed FROM outcome_windows')
    .raw(true);
  const histograms = db.prepare<[], { metric: DurationMetric; handoff: string; counts: string; sum: number; count: number }>(
    'SELECT metric, handoff, counts, sum, count FROM duration_histograms',
  );
  const incidentsOpen = db.prepare<[], AggregateSnapshot['incidentsOpen'][number]>(`
    SELECT handoff, owner_name AS owner, severity, COUNT(*) AS count FROM incidents
    WHERE state <> 'resolved' GROUP BY handoff, owner_name, severity`);
  // Purged incidents keep their breaches in purged_sla_breaches: the counter never goes down.
  const breaches = db.prepare<[], AggregateSnapshot['slaBreaches'][number]>(`
    SELECT handoff, SUM(count) AS count FROM (
      SELECT handoff, COUNT(*) AS count FROM incidents WHERE escalated_at IS NOT NULL OR kind = 'stalled' GROUP BY handoff
      UNION ALL SELECT handoff, count FROM purged_sla_breaches)
    GROUP BY handoff`);
  // Walks alert_outbox_dead (dead alerts only), then each one's incident by id.
  const deadAlerts = db.prepare<[], { handoff: string; count: number }>(`
    SELECT i.handoff AS handoff, COUNT(*) AS count FROM alert_outbox a JOIN incidents i ON i.id = a.incident_id
    WHERE a.state = 'dead' AND i.state <> 'resolved' GROUP BY i.handoff`);

  // Histograms change only through writers.observe (this process owns the file): parse 2,000 JSON rows only when they moved.
  let histogramCache: { writes: number; rows: AggregateSnapshot['histograms'] } | undefined;
  const readHistograms = () => {
    if (histogramCache?.writes !== writers.histogramWrites) {
      const writes = writers.histogramWrites;
      histogramCache = { writes, rows: histograms.all().map((h) => ({ ...h, counts: JSON.parse(h.counts) as number[] })) };
    }
    return histogramCache.rows;
  };
  const snapshotTx = db.transaction(
    (): AggregateSnapshot => ({
      claims: claims.all().map(([handoff, decision, count]) => ({ handoff, decision, count })),
      executions: executions.all().map(([handoff, status, count]) => ({ handoff, status, count })),
      windows: windows.all().map(([handoff, span, runs, failed]) => ({ handoff, span, runs, failed })),
      outcomeWindows: outcomeWindows.all().map(([handoff, span, seen, failed]) => ({ handoff, span, seen, failed })),
      histograms: readHistograms(),
      incidentsOpen: incidentsOpen.all(),
      slaBreaches: breaches.all(),
      deadAlerts: deadAlerts.all(),
    }),
  );

  const advanceTx = db.transaction((now: number) => {
    for (const w of WINDOWS) {
      const next = windowHorizon(w, now);
      const previous = horizonOf.get(w.span)?.horizon;
      const move = windowMove(w, previous, next);
      if (move === 'none') continue;
      for (const s of series) {
        if (move === 'refill') {
          s.clearWindow.run(w.span);
          s.refillWindow.run(w.span, w.resolutionMs, next);
        } else {
          for (const r of s.aged.all(w.resolutionMs, previous!, next)) s.subtract.run(r.n, r.failed, r.handoff, w.span);
          s.dropEmpty.run(w.span);
        }
      }
      setHorizon.run(w.span, next);
    }
    for (const s of series) {
      for (const [resolution, keepMs] of BUCKET_RETENTION) s.purgeBuckets.run(resolution, oldestKeptBucket(now, resolution, keepMs));
    }
  });

  /** Bounded per call so one fold never holds the write lock for long; the next tick continues. */
  const FOLD_BATCH = 1_000;
  const foldTx = db.transaction((): number => {
    const mark = stateGet.get('recovery_fold');
    const [at, id] = mark ? (JSON.parse(mark.value) as [number, number]) : [-1, 0];
    const rows = resolvedSince.all(at, at, id, FOLD_BATCH);
    // An incident tied to a key is measured with its pair (outcomes/decide.ts); only keyless ones here.
    for (const r of rows)
      if (r.idempotency_key === null) writers.observe('time_to_recovery', r.handoff, (r.resolved_at - r.first_seen_at) / 1000);
    const last = rows[rows.length - 1];
    if (last) stateSet.run('recovery_fold', JSON.stringify([last.resolved_at, last.id]));
    return rows.length;
  });
  const observeTx = db.transaction((metric: DurationMetric, handoff: string, seconds: number) => writers.observe(metric, handoff, seconds));

  return {
    async advance(now) {
      advanceTx.immediate(now);
    },
    async observe(metric, handoff, seconds) {
      observeTx.immediate(metric, handoff, seconds);
    },
    async foldResolvedIncidents() {
      return foldTx.immediate();
    },
    async snapshot() {
      // One read transaction, so every family of a scrape comes from the same instant.
      return snapshotTx();
    },
  };
}
