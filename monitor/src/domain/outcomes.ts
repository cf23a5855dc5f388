/**
 * What happened to one handoff of one object, the pair (handoff, key), across every run that touched it:
 * the row the outcome fold (outcomes/decide.ts) writes and the exception queue, the reports and the
 * measures read (docs/architecture.md "Handoff outcomes").
 */
export interface PairOutcome {
  handoff: string;
  key: string;
  /** First sighting: the window the pair counts in. */
  firstSeenAt: number;
  /** The first failure's own time (first failed attempt, lease expiry, the source record's time). */
  failedAt: number | null;
  failureKind: string | null;
  /** The latest failure: what the exception queue shows and filters on. */
  lastFailureAt: number | null;
  lastFailureKind: string | null;
  failures: number;
  /** The first incident opened for the pair (time to detection ends here). */
  detectedAt: number | null;
  incidentId: number | null;
  completedAt: number | null;
  attempt: number | null;
  recoveredAt: number | null;
  /** Its last incident resolved by hand while it never completed: off the queue, recovery measured. */
  closedAt: number | null;
  lastExecutionId: string | null;
  replays: number;
  lastReplayAt: number | null;
}
