/**
 * The bookkeeping behind the rolling windows, for both stores: what a page of finished runs or of
 * folded pairs adds to the time buckets and to the window totals, and how a window moves. The stores
 * only read the horizons and write the cells these return; the definitions (which windows, which
 * bucket sizes, how long a bucket is kept) are metrics/definitions.ts.
 */
import { BUCKET_RETENTION, bucketStart, isFailed, WINDOWS, type WindowSpan } from '../../domain/metric-definitions';

/** A finished n8n run, counted toward the time it stopped. */
export interface FinishedRun {
  handoff: string;
  status: string;
  /** When the run stopped: the time it counts toward. */
  at: number;
}

/** Something counted at a time: `count` is runs (execution series) or pairs seen (outcome series). */
export interface TimedCount {
  handoff: string;
  at: number;
  count: number;
  failed: number;
}

/** One row of execution_buckets / outcome_buckets to add to. */
export interface BucketCell {
  resolution: number;
  bucket: number;
  handoff: string;
  count: number;
  failed: number;
}

/** One row of window_totals / outcome_windows to add to. */
export interface WindowCell {
  handoff: string;
  span: WindowSpan;
  count: number;
  failed: number;
}

/** One row of execution_counters to add to. */
export interface StatusCount {
  handoff: string;
  status: string;
  count: number;
}

/** Each window's horizon (its first bucket) as window_horizons holds it; a span not there yet is absent. */
export type Horizons = ReadonlyMap<string, number>;

export const horizonsOf = (rows: readonly { span: string; horizon: number }[]): Horizons => new Map(rows.map((r) => [r.span, r.horizon]));

/** The oldest bucket of a resolution still kept at `now`; older ones are purged when the windows move. */
export const oldestKeptBucket = (now: number, resolution: number, keepMs: number): number => bucketStart(now, resolution) - keepMs;

/** Finished runs as the counters they add to (per handoff and status) and as counts for the buckets and windows. */
export function countRuns(runs: readonly FinishedRun[]): { statuses: StatusCount[]; counts: TimedCount[] } {
  const statuses = new Map<string, StatusCount>();
  for (const r of runs) {
    const id = `${r.handoff}\u0000${r.status}`;
    const cell = statuses.get(id) ?? { handoff: r.handoff, status: r.status, count: 0 };
    cell.count += 1;
    statuses.set(id, cell);
  }
  return {
    statuses: [...statuses.values()],
    counts: runs.map((r) => ({ handoff: r.handoff, at: r.at, count: 1, failed: isFailed(r.status) ? 1 : 0 })),
  };
}

/**
 * What counts add to the buckets and to the window totals, grouped so a page of 250 runs of one
 * handoff is a handful of rows, not 1,000. A count goes into a window only when that window has a
 * horizon and the count's bucket is inside it: with no horizon yet, the first move sums the buckets,
 * these included. A count older than a resolution's retention adds no bucket: the next move would
 * purge it unread. (The run series used to write those buckets and the pair series did not; the
 * windows and every reader saw the same either way, since no reader looks past the retention.)
 */
export function groupCounts(
  counts: readonly TimedCount[],
  horizons: Horizons,
  now: number,
): { buckets: BucketCell[]; windows: WindowCell[] } {
  const buckets = new Map<string, BucketCell>();
  const windows = new Map<string, WindowCell>();
  const add = <C extends { count: number; failed: number }>(map: Map<string, C>, id: string, fresh: () => C, c: TimedCount) => {
    const cell = map.get(id) ?? fresh();
    cell.count += c.count;
    cell.failed += c.failed;
    map.set(id, cell);
  };
  for (const c of counts) {
    for (const [resolution, keepMs] of BUCKET_RETENTION) {
      const bucket = bucketStart(c.at, resolution);
      if (bucket < oldestKeptBucket(now, resolution, keepMs)) continue;
      add(
        buckets,
        `${resolution}\u0000${bucket}\u0000${c.handoff}`,
        () => ({ resolution, bucket, handoff: c.handoff, count: 0, failed: 0 }),
        c,
      );
    }
    for (const w of WINDOWS) {
      const horizon = horizons.get(w.span);
      if (horizon === undefined || bucketStart(c.at, w.resolutionMs) < horizon) continue;
      add(windows, `${c.handoff}\u0000${w.span}`, () => ({ handoff: c.handoff, span: w.span, count: 0, failed: 0 }), c);
    }
  }
  return { buckets: [...buckets.values()], windows: [...windows.values()] };
}

/**
 * How a window's totals follow its horizon from `previous` to `next`: unchanged; by subtracting the
 * buckets that left it; or summed afresh from the buckets — the first time, after a clock that went
 * back, or when the window moved so far that none of its old buckets is left in it.
 */
export function windowMove(w: (typeof WINDOWS)[number], previous: number | undefined, next: number): 'none' | 'subtract' | 'refill' {
  if (previous === next) return 'none';
  if (previous === undefined || next < previous || next - previous >= w.buckets * w.resolutionMs) return 'refill';
  return 'subtract';
}

/** The outcome fold's counts (pairs seen and failed at a time) as counts for the buckets and windows. */
export const countPairs = (counts: readonly { handoff: string; at: number; seen: number; failed: number }[]): TimedCount[] =>
  counts.map((c) => ({ handoff: c.handoff, at: c.at, count: c.seen, failed: c.failed }));
