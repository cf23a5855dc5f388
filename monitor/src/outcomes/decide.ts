/**
 * Handoff outcomes: what happened to one handoff of one object — the pair (handoff, key), e.g. the
 * kickoff of deal-42 — across every run that touched it (docs/architecture.md "Handoff outcomes").
 *
 * The outcomes are a projection of the trace. Every signal is already an event in the store's
 * `events` table, written in the transaction of the change that caused it: checkpoints from the
 * nodes, a completed or released claim, a lease that ran out, an incident opened or resolved by
 * hand, a failed n8n run. `foldOutcomes` walks a batch of those events, in id order, over the pairs
 * they name and returns what changed; the stores persist the result in one transaction and move
 * their watermark past the batch. Pure, so every rule below has a table test.
 */
import type { DurationMetric } from '../domain/metric-definitions';
import type { PairOutcome } from '../domain/outcomes';

/** Checkpoint kinds that mean "this pair's sync failed" (the incident's kind says the same for incidents). */
export const FAILURE_KINDS: ReadonlySet<string> = new Set([
  'invalid',
  'conflict',
  'request_failed',
  'qa_failed',
  'review_rejected',
  'reconcile_missing',
  'reconcile_mismatch',
  'lease_expired',
  'execution_failed',
]);

/** Event kinds the monitor itself writes for the fold (beside the nodes' checkpoints). */
export const OUTCOME_EVENTS = {
  completed: 'completed',
  released: 'released',
  incidentOpened: 'incident_opened',
  incidentRepeated: 'incident_repeated',
  incidentResolved: 'incident_resolved',
  executionFailed: 'execution_failed',
  replayed: 'replayed',
} as const;

export interface OutcomeEvent {
  id: number;
  handoff: string;
  key?: string;
  kind: string;
  at: number;
  executionId?: string;
  details?: Record<string, unknown>;
}

/** A pair completed after failing: its open incidents resolve by themselves. */
export interface Recovery {
  handoff: string;
  key: string;
  attempt: number | null;
  at: number;
}

export interface FoldResult {
  /** Every pair the batch changed, as it is after the batch. */
  pairs: PairOutcome[];
  /** Window counts: a pair is counted where it was first seen, a failure in the same bucket. */
  counts: { handoff: string; at: number; seen: number; failed: number }[];
  observations: { metric: DurationMetric; handoff: string; seconds: number }[];
  recoveries: Recovery[];
}

export interface FoldState {
  /** Pairs the batch names, as stored (absent ones are new). Keyed by pairKey. */
  pairs: Map<string, PairOutcome>;
  /** Keys that ran in an execution, for `execution_failed` (which names a run, not a key). */
  keysByExecution: Map<string, { handoff: string; key: string }[]>;
}

export const pairKey = (handoff: string, key: string) => `${handoff}\u0000${key}`;

const time = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * When the failure itself happened. A node or the Exception Router may say (`failedAt`: the first
 * failed attempt, a reconcile miss's source record time); a lease expiry knows its own time;
 * otherwise the event's time is the best we have.
 */
export function failureTime(event: OutcomeEvent): number {
  const d = event.details ?? {};
  const said = time(d.failedAt) ?? (event.kind === 'lease_expired' ? time(d.leaseExpiresAt) : undefined);
  // A time from the future is a clock problem on the sender's side, never a negative detection time.
  return said !== undefined && said <= event.at ? said : event.at;
}

export function isFailureEvent(event: Pick<OutcomeEvent, 'kind'>): boolean {
  return FAILURE_KINDS.has(event.kind) || event.kind === OUTCOME_EVENTS.incidentOpened || event.kind === OUTCOME_EVENTS.incidentRepeated;
}

function freshPair(handoff: string, key: string, at: number): PairOutcome {
  return {
    handoff,
    key,
    firstSeenAt: at,
    failedAt: null,
    failureKind: null,
    lastFailureAt: null,
    lastFailureKind: null,
    failures: 0,
    detectedAt: null,
    incidentId: null,
    completedAt: null,
    attempt: null,
    recoveredAt: null,
    closedAt: null,
    lastExecutionId: null,
    replays: 0,
    lastReplayAt: null,
  };
}

export function foldOutcomes(events: OutcomeEvent[], state: FoldState): FoldResult {
  const changed = new Map<string, PairOutcome>();
  const counts: FoldResult['counts'] = [];
  const observations: FoldResult['observations'] = [];
  const recoveries: Recovery[] = [];

  const pairFor = (handoff: string, key: string, seenAt: number): PairOutcome => {
    const id = pairKey(handoff, key);
    let pair = changed.get(id) ?? state.pairs.get(id);
    if (!pair) {
      pair = freshPair(handoff, key, seenAt);
      counts.push({ handoff, at: pair.firstSeenAt, seen: 1, failed: 0 });
    } else {
      pair = { ...pair };
    }
    changed.set(id, pair);
    return pair;
  };

  const fail = (pair: PairOutcome, at: number, kind: string) => {
    if (pair.failedAt === null) {
      pair.failedAt = at;
      pair.failureKind = kind;
      counts.push({ handoff: pair.handoff, at: pair.firstSeenAt, seen: 0, failed: 1 });
    } else if (at < pair.failedAt) {
      pair.failedAt = at;
    }
    if (pair.lastFailureAt === null || at >= pair.lastFailureAt) {
      pair.lastFailureAt = at;
      pair.lastFailureKind = kind;
    }
    pair.failures += 1;
    // A new failure after a manual close puts the pair back on the queue; a completed pair stays done.
    if (pair.completedAt === null) pair.closedAt = null;
  };

  const apply = (pair: PairOutcome, event: OutcomeEvent) => {
    if (event.executionId) remember(pair, event.executionId);
    const d = event.details ?? {};
    switch (event.kind) {
      case OUTCOME_EVENTS.incidentOpened:
      case OUTCOME_EVENTS.incidentRepeated: {
        const kind = typeof d.kind === 'string' && d.kind ? d.kind : 'incident';
        fail(pair, failureTime(event), kind);
        pair.incidentId = num(d.incidentId) ?? pair.incidentId;
        // A repeat that reaches a pair with no detection yet (its first report predates the fold) counts too.
        if (pair.detectedAt === null) {
          pair.detectedAt = event.at;
          observations.push({ metric: 'time_to_detection', handoff: pair.handoff, seconds: Math.max(0, event.at - pair.failedAt!) / 1000 });
        }
        return;
      }
      case OUTCOME_EVENTS.completed: {
        if (pair.completedAt !== null) return;
        pair.completedAt = event.at;
        pair.attempt = num(d.attempt) ?? pair.attempt;
        if (pair.failedAt === null) return;
        if (pair.recoveredAt === null && pair.closedAt === null) {
          observations.push({ metric: 'time_to_recovery', handoff: pair.handoff, seconds: Math.max(0, event.at - pair.failedAt) / 1000 });
        }
        pair.recoveredAt ??= event.at;
        recoveries.push({ handoff: pair.handoff, key: pair.key, attempt: pair.attempt, at: event.at });
        return;
      }
      case OUTCOME_EVENTS.incidentResolved: {
        // Resolved by hand: the pair leaves the queue once none of its incidents is open any more.
        const remaining = num(d.openIncidents) ?? 0;
        if (pair.failedAt === null || pair.completedAt !== null || pair.closedAt !== null || remaining > 0) return;
        pair.closedAt = event.at;
        if (pair.recoveredAt === null) {
          observations.push({ metric: 'time_to_recovery', handoff: pair.handoff, seconds: Math.max(0, event.at - pair.failedAt) / 1000 });
        }
        return;
      }
      case OUTCOME_EVENTS.replayed:
        pair.replays += 1;
        pair.lastReplayAt = event.at;
        return;
      case OUTCOME_EVENTS.released:
        // The attempt that just gave up: what the queue shows until the next one completes.
        pair.attempt = num(d.attempt) ?? pair.attempt;
        return;
      default:
        if (FAILURE_KINDS.has(event.kind)) fail(pair, failureTime(event), event.kind);
    }
  };

  const byExecution = new Map(state.keysByExecution);
  const remember = (pair: PairOutcome, executionId: string) => {
    pair.lastExecutionId = executionId;
    const list = byExecution.get(executionId) ?? [];
    if (!list.some((p) => p.handoff === pair.handoff && p.key === pair.key))
      byExecution.set(executionId, [...list, { handoff: pair.handoff, key: pair.key }]);
  };

  for (const event of events) {
    if (event.key) {
      apply(pairFor(event.handoff, event.key, Math.min(event.at, isFailureEvent(event) ? failureTime(event) : event.at)), event);
      continue;
    }
    // A failed run names no key: every pair that ran in it failed with it.
    if (event.kind === OUTCOME_EVENTS.executionFailed && event.executionId) {
      for (const p of byExecution.get(event.executionId) ?? []) {
        const pair = pairFor(p.handoff, p.key, event.at);
        fail(pair, failureTime(event), OUTCOME_EVENTS.executionFailed);
      }
    }
  }
  return { pairs: [...changed.values()], counts, observations, recoveries };
}

/** The execution ids a batch's keyless `execution_failed` events name (the stores preload their keys). */
export function failedExecutionIds(events: OutcomeEvent[]): string[] {
  return [
    ...new Set(events.filter((e) => !e.key && e.kind === OUTCOME_EVENTS.executionFailed && e.executionId).map((e) => e.executionId!)),
  ];
}

export const recoveredResolution = (r: Pick<Recovery, 'attempt'>) =>
  r.attempt !== null ? `recovered: completed at attempt ${r.attempt}` : 'recovered: completed';
