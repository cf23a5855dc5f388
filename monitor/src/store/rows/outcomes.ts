/** A handoff_outcomes row and the PairOutcome the pure fold works with; one mapping for both stores. */
import type { Incident } from '../../../../protocol/incidents';
import type { PairOutcome } from '../../domain/outcomes';
import type { QueueEntry } from '../../domain/store';

export interface OutcomeRow {
  handoff: string;
  key: string;
  first_seen_at: number;
  failed_at: number | null;
  failure_kind: string | null;
  last_failure_at: number | null;
  last_failure_kind: string | null;
  failures: number;
  detected_at: number | null;
  incident_id: number | null;
  completed_at: number | null;
  attempt: number | null;
  recovered_at: number | null;
  closed_at: number | null;
  last_execution_id: string | null;
  replays: number;
  last_replay_at: number | null;
}

/** Every column, in the order of toOutcomeParams; the first two are the key. */
export const OUTCOME_COLUMNS = [
  'handoff',
  'key',
  'first_seen_at',
  'failed_at',
  'failure_kind',
  'last_failure_at',
  'last_failure_kind',
  'failures',
  'detected_at',
  'incident_id',
  'completed_at',
  'attempt',
  'recovered_at',
  'closed_at',
  'last_execution_id',
  'replays',
  'last_replay_at',
] as const;

export const toOutcomeParams = (p: PairOutcome): (string | number | null)[] => [
  p.handoff,
  p.key,
  p.firstSeenAt,
  p.failedAt,
  p.failureKind,
  p.lastFailureAt,
  p.lastFailureKind,
  p.failures,
  p.detectedAt,
  p.incidentId,
  p.completedAt,
  p.attempt,
  p.recoveredAt,
  p.closedAt,
  p.lastExecutionId,
  p.replays,
  p.lastReplayAt,
];

export const toOutcomeRow = (p: PairOutcome): OutcomeRow =>
  Object.fromEntries(OUTCOME_COLUMNS.map((c, i) => [c, toOutcomeParams(p)[i]])) as unknown as OutcomeRow;

export const fromOutcomeRow = (r: OutcomeRow): PairOutcome => ({
  handoff: r.handoff,
  key: r.key,
  firstSeenAt: r.first_seen_at,
  failedAt: r.failed_at,
  failureKind: r.failure_kind,
  lastFailureAt: r.last_failure_at,
  lastFailureKind: r.last_failure_kind,
  failures: r.failures,
  detectedAt: r.detected_at,
  incidentId: r.incident_id,
  completedAt: r.completed_at,
  attempt: r.attempt,
  recoveredAt: r.recovered_at,
  closedAt: r.closed_at,
  lastExecutionId: r.last_execution_id,
  replays: r.replays,
  lastReplayAt: r.last_replay_at,
});

/** A queued pair (failed, not completed) as the exception queue shows it, with its latest open incident. */
export const toQueueEntry = (p: PairOutcome, incident: Incident | undefined): QueueEntry => ({
  handoff: p.handoff,
  key: p.key,
  kind: p.lastFailureKind ?? p.failureKind ?? 'unknown',
  failedAt: p.failedAt!,
  lastFailureAt: p.lastFailureAt ?? p.failedAt!,
  failures: p.failures,
  attempt: p.attempt,
  replays: p.replays,
  lastReplayAt: p.lastReplayAt,
  lastExecutionId: p.lastExecutionId,
  ...(incident ? { incident } : {}),
});
