/**
 * The collector's loop: poll n8n every HANDOFF_POLL_INTERVAL; while n8n is down, back off with
 * p-retry (exponential, jittered, capped) instead of hammering it, and catch up on recovery — a
 * poll always reads down to the last good watermark, so an outage leaves no gap.
 */
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { ContractStore } from '../contract/store';
import type { Contract } from '../contract/schema';
import type { FindingReporter } from '../stalls/report-incident';
import type { CollectorStatus } from '../domain/collector-status';
import type { MonitorStore } from '../domain/store';
import { reportFailedRuns } from './failures';
import { buildResolver, type HandoffResolver, usesTags } from './mapping';
import type { N8nClient } from './n8n-client';
import { pollOnce, type PollSummary } from './poll';

/** Tags change rarely; re-reading GET /workflows once a minute is plenty (and only if tags are used). */
const WORKFLOW_REFRESH_MS = 60_000;
/** A run of a workflow we have never listed (imported since the last look) triggers an early re-read,
 * at most this often: otherwise the first runs of a freshly imported, tagged workflow go unmapped. */
const UNKNOWN_WORKFLOW_REFRESH_MS = 2_000;

export interface Collector {
  /** One poll now (shared with a poll already running); rejects when n8n could not be read. */
  poll(): Promise<PollSummary>;
  start(): void;
  stop(): Promise<void>;
  status(): CollectorStatus;
}

export interface CollectorOptions {
  client: N8nClient;
  store: MonitorStore;
  contracts: ContractStore;
  report: FindingReporter;
  logger: Logger;
  now: () => number;
  intervalMs: number;
  backfillMs: number;
  /** Backoff while n8n is down; defaults: from the poll interval up to 5 minutes. */
  backoff?: { minTimeoutMs?: number; maxTimeoutMs?: number };
  /** Link shown in incidents, e.g. `${N8N_BASE_URL}/workflow/<id>/executions/<id>`. */
  executionUrl?: (workflowId: string, executionId: string) => string;
}

export function createCollector(opts: CollectorOptions): Collector {
  const status: CollectorStatus = { errors: 0, polls: 0 };
  let running: Promise<PollSummary> | undefined;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let wakeSleeper: (() => void) | undefined;

  let workflowTags = new Map<string, string[]>();
  let tagsReadAt = Number.NEGATIVE_INFINITY;
  let resolver: { contract: Contract; tags: Map<string, string[]>; resolve: HandoffResolver } | undefined;

  const refreshTags = async (minAgeMs = WORKFLOW_REFRESH_MS) => {
    const contract = opts.contracts.current();
    const ids = new Set(workflowTags.keys());
    if (!usesTags(contract, ids) || opts.now() - tagsReadAt < minAgeMs) return;
    const next = new Map<string, string[]>();
    let cursor: string | undefined;
    do {
      const page = await opts.client.listWorkflows(cursor);
      for (const w of page.data) next.set(w.id, w.tags);
      cursor = page.nextCursor;
    } while (cursor);
    workflowTags = next;
    tagsReadAt = opts.now();
  };

  const handoffOf = (workflowId: string) => {
    const contract = opts.contracts.current();
    if (!resolver || resolver.contract !== contract || resolver.tags !== workflowTags) {
      resolver = { contract, tags: workflowTags, resolve: buildResolver(contract, workflowTags) };
    }
    return resolver.resolve(workflowId);
  };

  const pollNow = async (): Promise<PollSummary> => {
    try {
      await refreshTags();
      // Handoffs that use the ledger: their successes must end in a completed claim (detector (c)).
      const ledgerHandoffs = new Set((await opts.store.ledger.claimCounters()).map((c) => c.handoff));
      const summary = await pollOnce({
        client: opts.client,
        executions: opts.store.executions,
        handoffOf,
        learnWorkflows: async (workflowIds) => {
          if (workflowIds.some((id) => !workflowTags.has(id))) await refreshTags(UNKNOWN_WORKFLOW_REFRESH_MS);
        },
        expectsOutcome: (h) => ledgerHandoffs.has(h),
        now: opts.now,
        backfillMs: opts.backfillMs,
      });
      status.polls++;
      status.lastSuccessAt = opts.now();
      if (summary.newlyFinished.length) {
        await reportFailedRuns(summary.newlyFinished, {
          client: opts.client,
          executions: opts.store.executions,
          report: opts.report,
          logger: opts.logger,
          executionUrl: opts.executionUrl && ((run) => opts.executionUrl!(run.workflowId, run.id)),
        });
      }
      return summary;
    } catch (err) {
      status.errors++;
      status.lastError = (err as Error).message;
      throw err;
    }
  };

  const poll = () => {
    running ??= pollNow().finally(() => {
      running = undefined;
    });
    return running;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeSleeper = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });

  const loop = async () => {
    while (!stopped) {
      try {
        await pRetry(
          async () => {
            if (stopped) throw new pRetry.AbortError('collector stopped');
            await poll();
          },
          {
            forever: true,
            factor: 2,
            randomize: true,
            minTimeout: opts.backoff?.minTimeoutMs ?? opts.intervalMs,
            maxTimeout: opts.backoff?.maxTimeoutMs ?? 300_000,
            // The retry timer must never keep a stopping process alive.
            unref: true,
            onFailedAttempt: (err) => {
              if (stopped) throw err;
              opts.logger.warn({ attempt: err.attemptNumber, err: err.message }, 'n8n could not be read; backing off');
            },
          },
        );
      } catch (err) {
        if (!stopped) opts.logger.error({ err }, 'collector loop failed');
      }
      if (!stopped) await sleep(opts.intervalMs);
    }
  };

  return {
    poll,
    start() {
      if (!stopped) return;
      stopped = false;
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wakeSleeper?.();
      await running?.catch(() => undefined);
    },
    status: () => ({ ...status }),
  };
}
