/**
 * The measurement vocabulary of docs/architecture.md ("Definitions used everywhere"), shared by the stores
 * (which keep the aggregates) and the /metrics collectors (which show them). One place, so SQLite,
 * Postgres and the scrape agree on what "failed", "1h" and a histogram bucket mean.
 */

/** n8n statuses after which an execution never changes again (docs/n8n-facts.md lists them all). */
export const FINAL_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

/** A failed handoff run for the failed sync rate. Canceled is a person's decision, not a failure. */
export const FAILED_STATUSES = new Set(['error', 'crashed']);

export const isFinal = (status: string): boolean => FINAL_STATUSES.has(status);
export const isFailed = (status: string): boolean => FAILED_STATUSES.has(status);

const MINUTE = 60_000;
const HOUR = 3_600_000;

export type WindowSpan = '1h' | '24h' | '7d';

/**
 * Failed sync rate windows. Each is a run of whole buckets ending with the current one, so the
 * 1h window is 60 one-minute buckets and 7d is 168 one-hour buckets: the edge is at most one
 * bucket wide, which is what lets a window move by subtracting buckets instead of re-summing.
 */
export const WINDOWS: readonly { span: WindowSpan; resolutionMs: number; buckets: number }[] = [
  { span: '1h', resolutionMs: MINUTE, buckets: 60 },
  { span: '24h', resolutionMs: HOUR, buckets: 24 },
  { span: '7d', resolutionMs: HOUR, buckets: 168 },
];

/** Bucket resolutions in use, and how long each is kept (its longest window plus one bucket). */
export const BUCKET_RETENTION: ReadonlyMap<number, number> = new Map([
  [MINUTE, 61 * MINUTE],
  [HOUR, 169 * HOUR],
]);

export const bucketStart = (at: number, resolutionMs: number): number => Math.floor(at / resolutionMs) * resolutionMs;

/** First bucket inside the window at `now`. */
export const windowHorizon = (w: (typeof WINDOWS)[number], now: number): number =>
  bucketStart(now, w.resolutionMs) - (w.buckets - 1) * w.resolutionMs;

export type DurationMetric = 'time_to_detection' | 'time_to_recovery';

/**
 * Histogram bounds in seconds. Detection is expected within a poll interval (docs/architecture.md: failure →
 * owner alert p95 ≤ poll interval + 2 s) but a stall is only seen after its SLA, so the bounds run
 * from seconds to a day; recovery runs from a retry a minute later to a week-long fix.
 */
export const HISTOGRAM_BOUNDS: Record<DurationMetric, readonly number[]> = {
  time_to_detection: [1, 5, 10, 30, 60, 300, 900, 3_600, 14_400, 86_400],
  time_to_recovery: [60, 300, 900, 3_600, 14_400, 43_200, 86_400, 259_200, 604_800],
};

/** Index of the bucket an observation falls in (the last slot is +Inf). */
export function histogramSlot(metric: DurationMetric, seconds: number): number {
  const bounds = HISTOGRAM_BOUNDS[metric];
  const i = bounds.findIndex((b) => seconds <= b);
  return i === -1 ? bounds.length : i;
}

/**
 * The failed sync rate of one handoff in one window. Its unit is the pair (handoff, key): pairs that
 * failed ÷ pairs seen. A handoff whose workflows report no keys at all (no Handoff Guard node: only
 * the collector sees it) has no pairs; there each n8n run stands for one handoff of one object, so
 * its failures still show, marked `basis: 'runs'` rather than hidden behind "no data".
 */
export function failedSyncRate(
  pairs: { seen: number; failed: number } | undefined,
  runs: { runs: number; failed: number } | undefined,
): { seen: number; failed: number; ratio?: number; basis: 'pairs' | 'runs' } {
  if (pairs && pairs.seen > 0) return { seen: pairs.seen, failed: pairs.failed, ratio: pairs.failed / pairs.seen, basis: 'pairs' };
  if (runs && runs.runs > 0) return { seen: runs.runs, failed: runs.failed, ratio: runs.failed / runs.runs, basis: 'runs' };
  return { seen: 0, failed: 0, basis: 'pairs' };
}
