/**
 * Everything the dashboard pages and the Monday report show, read from the store in one go. This is
 * the only I/O of the report: the builders beside it (overview.ts, monday.ts) are pure functions of
 * what is returned here, so they are tested with plain objects.
 */
import type { Incident } from '../../../protocol/incidents';
import type { Contract } from '../contract/schema';
import type { PairOutcome } from '../domain/outcomes';
import type { AggregateSnapshot, CompletedClaim, MonitorStore, OpenClaim, QueueEntry, RunBucket, StoredEvent } from '../domain/store';
import { pendingReviews, type PendingReview } from './reviews';

const HOUR = 3_600_000;
/** The overview's trend: the last 24 hourly buckets (execution_buckets keeps 169). */
export const TREND_BUCKETS = 24;
export const TREND_RESOLUTION_MS = HOUR;
/** docs/architecture.md: "incidents of the last 48 hours". */
export const RECENT_INCIDENTS_MS = 48 * HOUR;
/** Bounds that keep a page cheap; more than this many unresolved incidents is a page of its own anyway. */
const UNRESOLVED_LIMIT = 500;
const RECENT_LIMIT = 200;
const COMPLETIONS_LIMIT = 30;
const OPEN_CLAIMS_LIMIT = 1_000;
const TRACE_STEPS_LIMIT = 50;
/** Unfinished runs read for pending reviews: the stall detector reads as many per tick. */
const UNFINISHED_LIMIT = 10_000;

export interface Trace {
  claim: CompletedClaim;
  events: StoredEvent[];
  /** The pair's outcome across every attempt (first sighting, failures), when the fold has it. */
  pair?: PairOutcome;
}

/** The exception queue is read whole up to this many entries; a longer queue is its own emergency. */
export const QUEUE_LIMIT = 500;

export interface ReportData {
  now: number;
  contract: Contract;
  snapshot: AggregateSnapshot;
  trend: RunBucket[];
  trendSince: number;
  lastSuccess: { handoff: string; at: number }[];
  unresolved: Incident[];
  /** Seen in the last 48 h, any state. */
  recent: Incident[];
  activity: { handoff: string; lastRunAt: number | null; watchingSince: number }[];
  /** Pairs that failed and have not completed, oldest first (absent in hand-built data: none). */
  queue?: QueueEntry[];
  /** Runs waiting on a review gate, oldest first (absent in hand-built data: none). */
  pendingReviews?: PendingReview[];
  /** Only with `withMonday`: the rest of the Monday checklist's inputs. */
  monday?: {
    traces: Trace[];
    openClaims: OpenClaim[];
    pendingAlerts: number;
  };
}

/** Up to `n` of the latest completions, one per handoff first, so a spot check covers different flows. */
export function pickTraceClaims(completions: CompletedClaim[], n: number): CompletedClaim[] {
  const picked: CompletedClaim[] = [];
  const seen = new Set<string>();
  for (const c of completions) {
    if (picked.length < n && !seen.has(c.handoff)) {
      picked.push(c);
      seen.add(c.handoff);
    }
  }
  for (const c of completions) if (picked.length < n && !picked.includes(c)) picked.push(c);
  return picked;
}

export async function loadReportData(
  store: MonitorStore,
  contract: Contract,
  now: number,
  opts: { withMonday?: boolean; traces?: number } = {},
): Promise<ReportData> {
  const trendSince = Math.floor(now / TREND_RESOLUTION_MS) * TREND_RESOLUTION_MS - (TREND_BUCKETS - 1) * TREND_RESOLUTION_MS;
  const handoffIds = contract.handoffs.map((h) => h.id);
  const [snapshot, trend, lastSuccess, unresolved, recent, activity, unfinished, queue] = await Promise.all([
    store.aggregates.snapshot(),
    store.dashboard.runBuckets(TREND_RESOLUTION_MS, trendSince),
    store.dashboard.lastSuccess(handoffIds),
    store.dashboard.unresolvedIncidents(UNRESOLVED_LIMIT),
    store.dashboard.incidentsSeenSince(now - RECENT_INCIDENTS_MS, RECENT_LIMIT),
    store.stalls.activity(),
    store.executions.unfinished(UNFINISHED_LIMIT),
    store.outcomes.queue({ limit: QUEUE_LIMIT }),
  ]);
  const data: ReportData = {
    now,
    contract,
    snapshot,
    trend,
    trendSince,
    lastSuccess,
    unresolved,
    recent,
    activity,
    queue,
    pendingReviews: pendingReviews(unfinished, contract, now),
  };
  if (opts.withMonday) {
    const [completions, openClaims, pendingAlerts] = await Promise.all([
      store.dashboard.recentCompletions(COMPLETIONS_LIMIT),
      store.stalls.openClaims(OPEN_CLAIMS_LIMIT),
      store.dashboard.pendingAlerts(),
    ]);
    const picked = pickTraceClaims(completions, opts.traces ?? 3);
    const traces = await Promise.all(
      picked.map(async (claim) => ({
        claim,
        events: await store.events.trace(claim.handoff, claim.key, TRACE_STEPS_LIMIT),
        pair: await store.outcomes.pair(claim.handoff, claim.key),
      })),
    );
    data.monday = { traces, openClaims, pendingAlerts };
  }
  return data;
}
