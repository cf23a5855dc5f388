/**
 * The overview: one row per handoff with its health, failed sync rate per window, a 24-hour trend,
 * time to detect and recover, last success and open stalls. Pure over ReportData; the figures are
 * the precomputed aggregates /metrics shows (windows, histograms), never recomputed from history.
 */
import type { Incident, IncidentPerson } from '../../../protocol/incidents';
import type { WindowSpan } from '../domain/metric-definitions';
import { failedSyncRate, WINDOWS } from '../domain/metric-definitions';
import { TREND_BUCKETS, TREND_RESOLUTION_MS, type ReportData } from './data';
import { handoffHealth, type Health } from './health';
import type { PendingReview } from './reviews';

/** The failed sync rate: handoff pairs (handoff, key) first seen in a window, and how many failed. */
export interface Rate {
  seen: number;
  failed: number;
  /** failed / seen; undefined without pairs (no rate, rather than a reassuring 0). */
  ratio?: number;
  /** `runs` for a handoff that reports no keys: each n8n run stands for one handoff (domain/metric-definitions.ts). */
  basis: 'pairs' | 'runs';
}

/** n8n runs, shown beside the rate: a run that routed a failure ends "success" there. */
export interface RunRate {
  runs: number;
  failed: number;
  ratio?: number;
}

export interface MeanDuration {
  meanSeconds: number;
  count: number;
}

export interface HandoffRow {
  id: string;
  name: string;
  owner: IncidentPerson;
  source?: string;
  targets: string[];
  /** Not in the contract: seen in runs or incidents only. */
  unlisted: boolean;
  health: Health;
  rates: Record<WindowSpan, Rate>;
  runRates: Record<WindowSpan, RunRate>;
  /** Pairs waiting in the exception queue. */
  queued: number;
  /** TREND_BUCKETS hourly points, oldest first, zeros where nothing ran. */
  trend: { at: number; runs: number; failed: number }[];
  detection?: MeanDuration;
  recovery?: MeanDuration;
  lastSuccessAt?: number;
  lastRunAt?: number;
  openStalls: number;
  unresolved: number;
  pastSla: number;
  /** Alerts the webhook refused for this handoff's unresolved incidents. */
  deadAlerts: number;
}

export interface Overview {
  now: number;
  rows: HandoffRow[];
  counts: Record<Health['level'], number>;
  /** All handoffs together, per window. */
  totals: Record<WindowSpan, Rate>;
  runTotals: Record<WindowSpan, RunRate>;
  /** Entries in the exception queue, all handoffs. */
  queued: number;
  /** Alerts the webhook refused for unresolved incidents, all handoffs: owners who were not told. */
  deadAlerts: number;
  pendingReviews: PendingReview[];
  /** Some handoff of the contract has a review SLA (a review gate). */
  reviewGated: boolean;
}

export const isPastSla = (i: Incident, now: number) =>
  i.state !== 'resolved' && (i.escalatedAt !== undefined || Date.parse(i.slaDueAt) <= now);
export const isStall = (i: Incident) => i.kind === 'stalled';

const runRate = (runs: number, failed: number): RunRate => (runs > 0 ? { runs, failed, ratio: failed / runs } : { runs, failed });
const LEVEL_ORDER = { red: 0, amber: 1, green: 2 } as const;

export function buildOverview(data: ReportData): Overview {
  const { now, contract, snapshot } = data;
  const ids = new Set(contract.handoffs.map((h) => h.id));
  // Runs or incidents for ids the contract does not (or no longer) name still deserve a row.
  for (const w of snapshot.windows) ids.add(w.handoff);
  for (const w of snapshot.outcomeWindows ?? []) ids.add(w.handoff);
  for (const i of data.unresolved) ids.add(i.handoff);
  const dead = new Map((snapshot.deadAlerts ?? []).map((d) => [d.handoff, d.count]));
  for (const handoff of dead.keys()) ids.add(handoff);

  const windows = new Map((snapshot.outcomeWindows ?? []).map((w) => [`${w.handoff}\u0000${w.span}`, w]));
  const runWindows = new Map(snapshot.windows.map((w) => [`${w.handoff}\u0000${w.span}`, w]));
  const queue = data.queue ?? [];
  const lastSuccess = new Map(data.lastSuccess.map((s) => [s.handoff, s.at]));
  const lastRun = new Map(data.activity.map((a) => [a.handoff, a.lastRunAt ?? undefined]));
  const histogram = (metric: string, handoff: string): MeanDuration | undefined => {
    const h = snapshot.histograms.find((x) => x.metric === metric && x.handoff === handoff);
    return h && h.count > 0 ? { meanSeconds: h.sum / h.count, count: h.count } : undefined;
  };
  const trendOf = new Map<string, Map<number, { runs: number; failed: number }>>();
  for (const b of data.trend) {
    const m = trendOf.get(b.handoff) ?? new Map();
    m.set(b.bucket, { runs: b.runs, failed: b.failed });
    trendOf.set(b.handoff, m);
  }

  const rows = [...ids].map((id): HandoffRow => {
    const h = contract.handoffs.find((x) => x.id === id);
    const mine = data.unresolved.filter((i) => i.handoff === id);
    const rates = Object.fromEntries(
      WINDOWS.map((w) => [w.span, failedSyncRate(windows.get(`${id}\u0000${w.span}`), runWindows.get(`${id}\u0000${w.span}`))]),
    ) as Record<WindowSpan, Rate>;
    const runRates = Object.fromEntries(
      WINDOWS.map((w) => {
        const cell = runWindows.get(`${id}\u0000${w.span}`);
        return [w.span, runRate(cell?.runs ?? 0, cell?.failed ?? 0)];
      }),
    ) as Record<WindowSpan, RunRate>;
    const queued = queue.filter((e) => e.handoff === id).length;
    const openStalls = mine.filter(isStall).length;
    const pastSla = mine.filter((i) => isPastSla(i, now)).length;
    const points = trendOf.get(id);
    return {
      id,
      name: h?.name ?? id,
      owner: h?.owner ?? mine[0]?.owner ?? { name: 'unassigned' },
      source: h?.source,
      targets: h?.targets ?? [],
      unlisted: !h,
      health: handoffHealth({
        seen1h: rates['1h'].seen,
        failed1h: rates['1h'].failed,
        failed24h: rates['24h'].failed,
        queued,
        basis: rates['1h'].basis,
        openStalls,
        unresolved: mine.length,
        pastSla,
        deadAlerts: dead.get(id) ?? 0,
      }),
      rates,
      runRates,
      queued,
      trend: Array.from({ length: TREND_BUCKETS }, (_, k) => {
        const at = data.trendSince + k * TREND_RESOLUTION_MS;
        return { at, ...(points?.get(at) ?? { runs: 0, failed: 0 }) };
      }),
      detection: histogram('time_to_detection', id),
      recovery: histogram('time_to_recovery', id),
      lastSuccessAt: lastSuccess.get(id),
      lastRunAt: lastRun.get(id),
      openStalls,
      unresolved: mine.length,
      pastSla,
      deadAlerts: dead.get(id) ?? 0,
    };
  });
  // Red first, then amber: what needs a person is at the top; contract order within a colour.
  rows.sort((a, b) => LEVEL_ORDER[a.health.level] - LEVEL_ORDER[b.health.level]);

  const counts = { red: 0, amber: 0, green: 0 };
  for (const r of rows) counts[r.health.level]++;
  const totals = Object.fromEntries(
    WINDOWS.map((w) => {
      const seen = rows.reduce((n, r) => n + r.rates[w.span].seen, 0);
      const failed = rows.reduce((n, r) => n + r.rates[w.span].failed, 0);
      const basis =
        rows.some((r) => r.rates[w.span].basis === 'pairs' && r.rates[w.span].seen > 0) || !rows.some((r) => r.rates[w.span].seen > 0)
          ? 'pairs'
          : 'runs';
      return [w.span, seen > 0 ? { seen, failed, ratio: failed / seen, basis } : { seen, failed, basis }];
    }),
  ) as Record<WindowSpan, Rate>;
  const runTotals = Object.fromEntries(
    WINDOWS.map((w) => {
      const runs = rows.reduce((n, r) => n + r.runRates[w.span].runs, 0);
      const failed = rows.reduce((n, r) => n + r.runRates[w.span].failed, 0);
      return [w.span, runRate(runs, failed)];
    }),
  ) as Record<WindowSpan, RunRate>;
  const deadAlerts = [...dead.values()].reduce((n, c) => n + c, 0);
  return {
    now,
    rows,
    counts,
    totals,
    runTotals,
    queued: queue.length,
    deadAlerts,
    pendingReviews: data.pendingReviews ?? [],
    reviewGated: contract.handoffs.some((h) => h.reviewSla !== undefined),
  };
}
