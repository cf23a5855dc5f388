/**
 * What the monitor needs from a store. Async so that SQLite (embedded default) and Postgres
 * (scale-out) can sit behind the same interface; each method is one atomic unit of work.
 */
import type { ClaimResult, SettleResult } from '../../../protocol/ledger';
import type { SettleAction } from './claims';
import type { Incident, IncidentPerson, IncidentState } from '../../../protocol/incidents';
import type { IncidentAction, IncidentReport } from './incidents';
import type { OutboxAlert } from './incident-message';
import type { DurationMetric, WindowSpan } from './metric-definitions';
import type { PairOutcome } from './outcomes';

export interface ClaimBatch {
  handoff: string;
  leaseMs: number;
  executionId?: string;
  workflowId?: string;
  items: { key: string; fingerprint?: string }[];
}

export interface SettleBatch {
  handoff: string;
  keys: string[];
  reason?: string;
}

export interface ClaimCounter {
  handoff: string;
  decision: string;
  count: number;
}

export interface LedgerStore {
  /** Decides and records every item of the batch in one transaction. */
  claim(batch: ClaimBatch, now: number): Promise<ClaimResult[]>;
  settle(action: SettleAction, batch: SettleBatch, now: number): Promise<SettleResult[]>;
  /** Forgets completed keys older than the retention window; returns how many. */
  purgeCompleted(now: number): Promise<number>;
  /** Lifetime claim decisions per handoff (kept in the same transaction as the claims). */
  claimCounters(): Promise<ClaimCounter[]>;
}

/** A checkpoint on a handoff's way: from the nodes (validated, verified…) or the ledger itself. */
export interface HandoffEvent {
  handoff: string;
  key?: string;
  kind: string;
  at: number;
  executionId?: string;
  details?: Record<string, unknown>;
}

export interface StoredEvent extends HandoffEvent {
  id: number;
}

export interface EventStore {
  append(events: HandoffEvent[]): Promise<number>;
  /** The trace of one key, oldest first. */
  trace(handoff: string, key: string, limit?: number): Promise<StoredEvent[]>;
}

export interface IncidentFilter {
  handoff?: string;
  /** `unresolved` means open or acknowledged. */
  state?: IncidentState | 'unresolved';
  /** Matches the owner's name or channel. */
  owner?: string;
  limit: number;
}

export type IncidentTransition =
  | { found: false }
  | { found: true; ok: true; incident: Incident; changed: boolean }
  | { found: true; ok: false; incident: Incident; problem: string };

/** One outbox row id, or the ids of every row one message carried. */
export type AlertIds = number | readonly number[];

/** Durable alerts: written with the incident change that caused them, sent by the outbox worker. */
export interface AlertOutbox {
  /** Pending alerts whose next attempt is due, oldest first. */
  due(now: number, limit: number): Promise<OutboxAlert[]>;
  /**
   * The settling calls take one alert or every alert of one digest (alerts/grouping.ts), settled in
   * one statement: a digest's rows are sent, retried or dead together.
   */
  markSent(id: AlertIds, now: number, tries: number): Promise<void>;
  markRetry(id: AlertIds, nextAttemptAt: number, tries: number, problem: string): Promise<void>;
  /** The webhook refused the alert (a 4xx): kept for the record, never retried. */
  markDead(id: AlertIds, now: number, tries: number, problem: string): Promise<void>;
  /** Pending alerts wait (their group's window is open) until `until`; no attempt is counted. */
  hold(ids: readonly number[], until: number): Promise<void>;
  /** Alerts sent at or after `since`, newest first: when each alert group was last messaged. */
  sentSince(since: number, limit: number): Promise<OutboxAlert[]>;
  list(filter?: { incidentId?: number }): Promise<OutboxAlert[]>;
  /** Alerts the webhook refused, newest first (a partial index holds only these). */
  dead(filter: { incidentId?: number; limit: number }): Promise<OutboxAlert[]>;
}

export interface IncidentStore {
  /** Opens an incident or folds the report into the open one with the same dedup key; one transaction with its alert. */
  report(report: IncidentReport, now: number): Promise<{ incident: Incident; deduplicated: boolean; alertQueued: boolean }>;
  get(id: number): Promise<Incident | undefined>;
  list(filter: IncidentFilter): Promise<Incident[]>;
  /** `by`: who acts, recorded as acknowledgedBy / resolvedBy (a name given at sign-in, or the API's `by`). */
  transition(id: number, action: IncidentAction, now: number, by?: string): Promise<IncidentTransition>;
  /** Escalates every unresolved incident past its SLA, once; returns those escalated now. */
  escalateDue(now: number, targetFor: (incident: Incident) => IncidentPerson): Promise<Incident[]>;
  readonly outbox: AlertOutbox;
}

/**
 * An n8n execution that belongs to a handoff, as the collector read it (times in epoch ms).
 * Status is n8n's own word: canceled, crashed, error, new, running, success, unknown, waiting.
 */
export interface ExecutionRecord {
  id: string;
  handoff: string;
  workflowId: string;
  status: string;
  mode: string | null;
  startedAt: number | null;
  stoppedAt: number | null;
  waitTill: number | null;
  retryOf: string | null;
  retrySuccessId: string | null;
  /** The handoff uses the ledger, so a success must be followed by a completed claim (detector (c)). */
  expectOutcome?: boolean;
}

export interface StoredExecution extends ExecutionRecord {
  finished: boolean;
  failedNode: string | null;
  errorMessage: string | null;
}

export interface IngestResult {
  inserted: number;
  updated: number;
  /** Runs that reached a final status in this call: counted now, never again. */
  newlyFinished: StoredExecution[];
}

/**
 * The collector's side of the store. Implementations must make `upsert` idempotent by execution id:
 * re-reading a page after an outage changes nothing, and a run is counted (execution_counters,
 * time buckets, window totals, time to recovery) exactly once, in the same transaction as its row,
 * the first time it is stored with a final status (domain/metric-definitions.ts FINAL_STATUSES).
 */
export interface ExecutionStore {
  upsert(records: ExecutionRecord[], now: number): Promise<IngestResult>;
  get(id: string): Promise<StoredExecution | undefined>;
  /** Runs stored with a status that may still change (running, waiting, new, unknown), oldest first. */
  unfinished(limit: number): Promise<StoredExecution[]>;
  /** Runs n8n no longer has (deleted while unfinished): dropped, since they were never counted. */
  forget(ids: string[]): Promise<void>;
  /** Names the failing node of a failed run (read from its execution data). */
  setFailure(id: string, failure: { node?: string; message?: string }): Promise<void>;
  /** The collector's watermark (highest execution id below which nothing is missing); undefined before the first poll. */
  watermark(): Promise<string | undefined>;
  setWatermark(value: string): Promise<void>;
}

export interface AggregateSnapshot {
  claims: ClaimCounter[];
  executions: { handoff: string; status: string; count: number }[];
  /** n8n runs per window: the execution series, reported beside the failed sync rate. */
  windows: { handoff: string; span: WindowSpan; runs: number; failed: number }[];
  /** Handoff pairs seen per window and how many of them failed: the failed sync rate. */
  outcomeWindows: { handoff: string; span: WindowSpan; seen: number; failed: number }[];
  /** `counts` has one slot per bound of HISTOGRAM_BOUNDS[metric] plus +Inf, not cumulative. */
  histograms: { metric: DurationMetric; handoff: string; counts: number[]; sum: number; count: number }[];
  incidentsOpen: { handoff: string; owner: string; severity: string; count: number }[];
  /** Exception-SLA escalations plus completion-SLA stalls (incidents of kind 'stalled'), per handoff. */
  slaBreaches: { handoff: string; count: number }[];
  /**
   * Alerts the webhook refused (dead in the outbox) for incidents still unresolved, per handoff: the
   * owner was never told. Absent in hand-built snapshots: none.
   */
  deadAlerts?: { handoff: string; count: number }[];
}

/** Precomputed figures for /metrics. Nothing here may scan history: a scrape must stay cheap at 1M runs. */
export interface AggregateStore {
  /** Moves the rolling windows to `now`, subtracting buckets that aged out; drops buckets past retention. */
  advance(now: number): Promise<void>;
  observe(metric: DurationMetric, handoff: string, seconds: number): Promise<void>;
  /** Observes time to recovery for incidents resolved since the last call; returns how many. */
  foldResolvedIncidents(): Promise<number>;
  snapshot(): Promise<AggregateSnapshot>;
}

export interface OpenClaim {
  handoff: string;
  key: string;
  claimedAt: number;
  leaseExpiresAt: number | null;
  executionId: string | null;
}

export interface AwaitingOutcome {
  id: string;
  handoff: string;
  workflowId: string;
  stoppedAt: number;
  /** A completed claim carries this execution id. */
  completed: boolean;
  /** Already reported as missing on an earlier tick. */
  missing: boolean;
}

export type OutcomeState = 'ok' | 'missing' | 'expired';

/** What the stall detectors read. Every query is bounded by `limit` and served by a partial index. */
export interface StallStore {
  /** Claims still in state 'claimed', oldest first. */
  openClaims(limit: number): Promise<OpenClaim[]>;
  /** Successes of `handoff` that stopped before `stoppedBefore` and still await a completed claim. */
  awaitingOutcome(handoff: string, stoppedBefore: number, limit: number): Promise<AwaitingOutcome[]>;
  settleOutcomes(updates: { id: string; outcome: OutcomeState }[]): Promise<void>;
  /** Starts the cadence clock of handoffs not seen before (no-op for known ones). */
  watch(handoffs: string[], now: number): Promise<void>;
  /** Last run (start time) per watched handoff. */
  activity(): Promise<{ handoff: string; lastRunAt: number | null; watchingSince: number }[]>;
}

/** A finished-run bucket of one handoff (execution_buckets): the overview's trend line. */
export interface RunBucket {
  handoff: string;
  /** Bucket start, epoch ms. */
  bucket: number;
  runs: number;
  failed: number;
}

/** A claim the ledger completed, to trace end to end (claim → checkpoints → completion). */
export interface CompletedClaim {
  handoff: string;
  key: string;
  attempt: number;
  claimedAt: number;
  completedAt: number;
  executionId: string | null;
}

/**
 * What the dashboard and `handoff-monitor report monday` read beyond the aggregates. Every query is
 * bounded by a limit or by recent time and walks an index, so a page view stays cheap at 1M runs.
 */
export interface DashboardStore {
  /** Buckets of `resolutionMs` (a resolution of domain/metric-definitions.ts) from `since` on, oldest first. */
  runBuckets(resolutionMs: number, since: number): Promise<RunBucket[]>;
  /** Stop time of the latest successful run of each handoff named (one index seek each); absent when none. */
  lastSuccess(handoffs: string[]): Promise<{ handoff: string; at: number }[]>;
  /** Open and acknowledged incidents, most recently seen first. */
  unresolvedIncidents(limit: number): Promise<Incident[]>;
  /** Incidents seen (first or again) at or after `since`, most recent first, whatever their state. */
  incidentsSeenSince(since: number, limit: number): Promise<Incident[]>;
  /** The latest completed claims, newest first. */
  recentCompletions(limit: number): Promise<CompletedClaim[]>;
  /** Alerts still waiting in the outbox (pending), due or not. */
  pendingAlerts(): Promise<number>;
}

/** One entry of the exception queue: a pair that failed and has not completed. */
export interface QueueEntry {
  handoff: string;
  key: string;
  /** The latest failure's kind (what replay-all filters on). */
  kind: string;
  /** The first failure's own time (epoch ms): the queue is oldest first. */
  failedAt: number;
  lastFailureAt: number;
  failures: number;
  attempt: number | null;
  replays: number;
  lastReplayAt: number | null;
  lastExecutionId: string | null;
  /** The latest unresolved incident tied to the key, if any (owner, SLA). */
  incident?: Incident;
}

export interface QueueFilter {
  handoff?: string;
  kind?: string;
  keys?: string[];
  limit: number;
}

/** The outcome fold's result for one call: how far it got and which incidents recovered. */
export interface FoldReport {
  events: number;
  recovered: Incident[];
  /** More events are waiting (the batch was full). */
  more: boolean;
}

/** Handoff outcomes (outcomes/decide.ts): the projection of the trace onto (handoff, key) pairs. */
export interface OutcomeStore {
  /** Folds the next batch of events into the pairs, the windows and the histograms; one transaction. */
  fold(now: number): Promise<FoldReport>;
  pair(handoff: string, key: string): Promise<PairOutcome | undefined>;
  /** Failed and not completed (nor closed by hand), oldest failure first. */
  queue(filter: QueueFilter): Promise<QueueEntry[]>;
  /** Pairs completed most recently, newest first (the Monday spot checks). */
  recentlyCompleted(limit: number): Promise<PairOutcome[]>;
}

/**
 * A dashboard session as stored (dashboard/session.ts): the id only as its SHA-256, so a copy of the
 * database signs nobody in. Every replica reads the same rows, and they outlive a restart.
 */
export interface StoredSession {
  idHash: string;
  csrf: string;
  /** Who signed in, when the sign-in form asked for a name. */
  name: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStore {
  /** Stores a new session; drops expired ones, and the oldest beyond `max` (a sign-in loop stays bounded). */
  create(session: StoredSession, opts: { now: number; max: number }): Promise<void>;
  /** The session while it has not expired. */
  get(idHash: string, now: number): Promise<StoredSession | undefined>;
  destroy(idHash: string): Promise<void>;
}

/**
 * What the retention purge deletes, each by its own age (retention/purge.ts). The handoff_outcomes rows
 * come in two kinds, each with the retention of what settled it: completed pairs (with their completed
 * claims) and pairs closed by hand (with the resolved incidents that closed them).
 */
export const PURGE_TABLES = ['claims', 'events', 'executions', 'incidents', 'alerts', 'completedOutcomes', 'closedOutcomes'] as const;
export type PurgeTable = (typeof PURGE_TABLES)[number];

/**
 * History past its retention, deleted in small batches so a purge never holds the store for long.
 * Each call is one short transaction that deletes at most `limit` rows older than `before` (epoch ms),
 * oldest first along an age index, and keeps what something still reads:
 * - claims: completed ones only (completed_at ≤ before);
 * - events: only those the outcome fold has folded, and none of a pair still in the exception queue;
 * - executions: finished runs only, never one awaiting its completed claim (detector (c)) nor the
 *   latest success of its handoff (the overview's "last success");
 * - incidents: resolved ones the time-to-recovery fold has passed and whose alerts are all sent or
 *   dead; their alerts go with them, and their SLA breaches move to purged_sla_breaches;
 * - alerts: sent ones (a pending alert is still to deliver; a dead one stays with its incident);
 * - completedOutcomes: handoff_outcomes rows of completed pairs (completed_at ≤ before, as for their
 *   claims: once the ledger forgets a key, a new run of it is a new pair, whose completion and failures
 *   an old completed row would hide);
 * - closedOutcomes: rows of pairs closed by hand and never completed (closed_at < before).
 * A pair in the exception queue (failed, neither completed nor closed) or never settled stays. Counts,
 * windows and histograms live in their own tables, so no figure changes.
 */
export interface RetentionStore {
  /**
   * True when a batch runs on this process's event loop (SQLite: better-sqlite3 is synchronous), so the
   * purge keeps batches short and rests between them; on Postgres a batch only waits on the database.
   */
  readonly holdsEventLoop: boolean;
  /** `after`: a cursor, the `last` of the previous batch of this run; rows older than it are not looked at. */
  purge(table: PurgeTable, before: number, limit: number, after?: number): Promise<PurgeBatch>;
}

/** One batch: how many rows it deleted, and the age (epoch ms) of the last, the next batch's cursor. */
export interface PurgeBatch {
  deleted: number;
  last: number | null;
}

export interface MonitorStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Dashboard sign-ins (shared by replicas, kept across restarts). */
  readonly sessions: SessionStore;
  /** Reads for the dashboard and the Monday report. */
  readonly dashboard: DashboardStore;
  readonly ledger: LedgerStore;
  readonly events: EventStore;
  readonly incidents: IncidentStore;
  readonly executions: ExecutionStore;
  readonly aggregates: AggregateStore;
  readonly stalls: StallStore;
  readonly outcomes: OutcomeStore;
  readonly retention: RetentionStore;
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  /**
   * Writes one small row (collector_state `write_probe`) and commits it: throws when the store can
   * be read but not written (a read-only file or database, a full disk). Start-up and /readyz use it.
   */
  probeWrite(now: number): Promise<void>;
  close(): Promise<void>;
}
