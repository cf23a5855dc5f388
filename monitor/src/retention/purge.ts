/**
 * The retention purge: every table's history past its retention (HANDOFF_RETENTION for completed
 * keys and completed handoff outcomes, HANDOFF_RETENTION_EVENTS, _EXECUTIONS, _INCIDENTS (also for
 * outcomes closed by hand), _ALERTS) is deleted in small batches, one
 * short store transaction each, with a pause between them in which waiting requests run (on SQLite as
 * long as the batch took, so the purge never has more than about half of the event loop). A batch is
 * sized to take about `targetMs` (halved when one took longer, doubled while they are quick), so a
 * purge of millions of rows never keeps a claim waiting for more than one short batch. What each table
 * keeps regardless of age: domain/store.ts RetentionStore.
 */
import type { Logger } from 'pino';
import { PURGE_TABLES, type PurgeTable, type RetentionStore } from '../domain/store';

export interface RetentionPolicy {
  /** Completed claims and completed handoff outcomes (HANDOFF_RETENTION): past it a key counts as never seen anyway. */
  claimsMs: number;
  eventsMs: number;
  executionsMs: number;
  /** Resolved incidents, counted from their resolution; and handoff outcomes closed by hand, from their closing. */
  incidentsMs: number;
  /** Sent alerts, counted from their delivery. */
  alertsMs: number;
}

const AGE: Record<PurgeTable, keyof RetentionPolicy> = {
  claims: 'claimsMs',
  events: 'eventsMs',
  executions: 'executionsMs',
  incidents: 'incidentsMs',
  alerts: 'alertsMs',
  // A completed pair is forgotten with its completed claim: past HANDOFF_RETENTION the ledger answers
  // `new` to the key again, and that new run must count, complete and queue as a pair of its own.
  completedOutcomes: 'claimsMs',
  // A pair closed by hand is the outcome of the incidents resolved for it, and is kept as long as they are.
  closedOutcomes: 'incidentsMs',
};

export interface PurgeOptions {
  /** Rows in the first batch of each table; adapts between minBatch and maxBatch (defaults: PURGE_DEFAULTS). */
  batch?: number;
  minBatch?: number;
  maxBatch?: number;
  /**
   * What one batch should take (SQLite 5 ms: about how long a claim waits behind the purge). SQLite
   * batches stay at most 1,000 rows: the commit that crosses the WAL's autocheckpoint also copies the
   * WAL into the database (10–25 ms measured), and a small batch keeps that copy small too.
   */
  targetMs?: number;
  /**
   * Runs between batches so waiting requests are served; told how long the batch took. Default on
   * SQLite: rest as long as the batch ran (at most 50 ms), so the purge takes at most about half of
   * the event loop; on Postgres: the next turn of the event loop.
   */
  pause?: (batchMs: number) => Promise<void>;
  /** Asked between batches: true stops the purge (shutdown); the next run goes on where it stopped. */
  stopped?: () => boolean;
}

export interface TablePurge {
  deleted: number;
  batches: number;
  largestBatch: number;
  longestBatchMs: number;
}

export interface PurgeReport {
  tables: Record<PurgeTable, TablePurge>;
  deleted: number;
  ms: number;
  stopped: boolean;
}

const rest = (batchMs: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(50, Math.ceil(batchMs))));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * SQLite: a batch holds the event loop, so batches stay near 5 ms and the purge rests as long as each
 * batch ran. Postgres: a batch only waits on the database (a round trip and a commit cost more than
 * the rows), so batches are larger and follow each other at once; what a claim can meet there is a
 * row lock on a completed key being purged, held for one batch.
 */
export const PURGE_DEFAULTS = {
  holdingEventLoop: { batch: 500, minBatch: 50, maxBatch: 1_000, targetMs: 5, pause: rest },
  waitingOnDatabase: { batch: 1_000, minBatch: 100, maxBatch: 5_000, targetMs: 25, pause: nextTurn },
} as const;

/** Deletes everything past retention, table by table, batch by batch, until nothing more is due. */
export async function purgeExpired(
  store: RetentionStore,
  policy: RetentionPolicy,
  now: number,
  opts: PurgeOptions = {},
): Promise<PurgeReport> {
  const defaults = store.holdsEventLoop ? PURGE_DEFAULTS.holdingEventLoop : PURGE_DEFAULTS.waitingOnDatabase;
  const minBatch = opts.minBatch ?? defaults.minBatch;
  const maxBatch = Math.max(minBatch, opts.maxBatch ?? defaults.maxBatch);
  const targetMs = opts.targetMs ?? defaults.targetMs;
  const pause = opts.pause ?? defaults.pause;
  const started = performance.now();
  const tables = {} as Record<PurgeTable, TablePurge>;
  let stopped = false;
  for (const table of PURGE_TABLES) {
    const t: TablePurge = { deleted: 0, batches: 0, largestBatch: 0, longestBatchMs: 0 };
    tables[table] = t;
    if (stopped) continue;
    const before = now - policy[AGE[table]];
    let limit = Math.min(maxBatch, Math.max(minBatch, opts.batch ?? defaults.batch));
    let after: number | undefined;
    for (;;) {
      if (opts.stopped?.()) {
        stopped = true;
        break;
      }
      const t0 = performance.now();
      const { deleted: n, last } = await store.purge(table, before, limit, after);
      // Rows older than the last one deleted were deleted or must stay: the next batch starts there.
      if (last !== null) after = last;
      const ms = performance.now() - t0;
      t.batches++;
      t.deleted += n;
      t.largestBatch = Math.max(t.largestBatch, n);
      t.longestBatchMs = Math.max(t.longestBatchMs, ms);
      // A short batch means nothing more is due now (rows that must stay are never counted).
      if (n < limit) break;
      if (ms > targetMs) limit = Math.max(minBatch, Math.floor(limit / 2));
      else if (ms < targetMs / 2) limit = Math.min(maxBatch, limit * 2);
      await pause(ms);
    }
  }
  const deleted = PURGE_TABLES.reduce((sum, table) => sum + tables[table].deleted, 0);
  return { tables, deleted, ms: performance.now() - started, stopped };
}

export interface RetentionPurger {
  /** Purges now; a call while a purge runs gets that purge's report. */
  run(): Promise<PurgeReport>;
  start(intervalMs: number): void;
  /** Stops the timer and the running purge at its next batch; resolves when it has stopped. */
  stop(): Promise<void>;
}

export function createRetentionPurger(deps: {
  store: RetentionStore;
  policy: RetentionPolicy;
  now: () => number;
  logger: Logger;
  options?: PurgeOptions;
}): RetentionPurger {
  let running: Promise<PurgeReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const run = () =>
    (running ??= purgeExpired(deps.store, deps.policy, deps.now(), { ...deps.options, stopped: () => stopping })
      .then((report) => {
        if (report.deleted > 0) {
          const deleted = Object.fromEntries(Object.entries(report.tables).map(([table, t]) => [table, t.deleted]));
          deps.logger.info(
            { deleted, batches: Object.values(report.tables).reduce((s, t) => s + t.batches, 0), ms: Math.round(report.ms) },
            'retention purge',
          );
        }
        return report;
      })
      .finally(() => {
        running = undefined;
      }));
  return {
    run,
    start(intervalMs) {
      // Started again after a stop when this replica leads again: purges run in full once more.
      stopping = false;
      if (timer) return;
      timer = setInterval(() => {
        run().catch((err) => deps.logger.error({ err }, 'retention purge failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
