/**
 * Replay from the exception queue: one pair, or every pair of a handoff (and kind), paced. For each
 * pair it refuses what must not run (completed meanwhile, no run recorded, n8n cannot give the
 * input back), records a `replayed` checkpoint in the pair's trace, re-delivers the trigger's input
 * through n8n's production webhook (replay/load.ts, replay/deliver.ts) and then watches the pair's
 * outcome: completed → recovered; a new failure after the replay started → failed again. The Gate
 * in the workflow is what makes a replay safe against a second run; the check here only spares the
 * owner a pointless one.
 */
import type { Logger } from 'pino';
import type { ContractStore } from '../contract/store';
import type { N8nClient } from '../collector/n8n-client';
import type { MonitorStore, QueueEntry, QueueFilter } from '../domain/store';
import { OUTCOME_EVENTS } from '../outcomes/decide';
import { deliverReplay } from './deliver';
import { loadReplayInput } from './load';
import { DEFAULT_REPLAY_CONCURRENCY, type ReplayAttempt, runReplays } from './pace';
import { refusalText } from './source';
import type { ReplayPlanned, ReplayResultWire, ReplaysResponse } from './protocol';

/** How long a replay waits for its pair to complete or fail again before calling it an error. */
export const DEFAULT_OUTCOME_TIMEOUT_MS = 120_000;
/** Bulk replays read at most this many queue entries at once. */
export const MAX_BULK = 1_000;

/**
 * Who asked for a replay, recorded in the pair's `replayed` checkpoint: `by` is the person (the name
 * given at sign-in on the dashboard, or `by` in the API body, which `handoff-monitor replay` fills
 * with --by or the OS user name), already cleaned by incidents/actor.ts; absent when nobody gave one.
 * `via` is where the request came in.
 */
export interface ReplayRequester {
  by?: string;
  via: 'dashboard' | 'api';
}

export interface ReplayService {
  plan(filter: QueueFilter): Promise<ReplayPlanned[]>;
  /** Replays one queue entry and waits for its outcome. */
  replayOne(entry: QueueEntry, who: ReplayRequester): Promise<ReplayResultWire>;
  replayAll(
    filter: Omit<QueueFilter, 'limit'>,
    opts: { concurrency?: number; dryRun?: boolean; who: ReplayRequester },
  ): Promise<ReplaysResponse>;
}

export function toPlanned(entry: QueueEntry, owner?: { name: string; channel?: string }): ReplayPlanned {
  return {
    handoff: entry.handoff,
    key: entry.key,
    kind: entry.kind,
    owner: entry.incident?.owner ?? owner,
    failedAt: new Date(entry.failedAt).toISOString(),
    ...(entry.incident ? { incident: { id: entry.incident.id, title: entry.incident.title } } : {}),
  };
}

/**
 * The runs whose input a replay may re-send, best first: the incident's own run, the runs of reports
 * that joined it under other dedup keys (latest first), then the pair's latest run. An incident keeps
 * its first reporter's run (incidents/decide.ts); when that was the nightly reconcile, a schedule with
 * no deal input, the kickoff run that failed later and joined it is the one to replay.
 */
export function replaySources(entry: QueueEntry, pairLastExecutionId?: string | null): string[] {
  const joined = [...(entry.incident?.alsoReported ?? [])].sort((a, b) => Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
  const ids = [entry.incident?.execution?.id, ...joined.map((a) => a.execution?.id), pairLastExecutionId, entry.lastExecutionId];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))];
}

export function createReplayService(deps: {
  store: MonitorStore;
  contracts: ContractStore;
  n8n?: { client: N8nClient; baseUrl: string };
  /** Folds what was written so far (the outcome folder), so the outcome watch sees fresh pairs. */
  flushOutcomes: () => Promise<unknown>;
  now: () => number;
  logger: Logger;
  fetch?: typeof fetch;
  outcomeTimeoutMs?: number;
  /** Time between outcome checks (ms). */
  pollMs?: number;
}): ReplayService {
  const timeoutMs = deps.outcomeTimeoutMs ?? DEFAULT_OUTCOME_TIMEOUT_MS;
  const pollMs = deps.pollMs ?? 250;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const attempt = async (entry: QueueEntry, who: ReplayRequester): Promise<ReplayAttempt> => {
    await deps.flushOutcomes();
    const pair = await deps.store.outcomes.pair(entry.handoff, entry.key);
    if (pair?.completedAt != null) {
      return {
        outcome: 'refused',
        message: `${entry.key} already completed at ${new Date(pair.completedAt).toISOString()} (attempt ${pair.attempt ?? '?'}): nothing to replay`,
      };
    }
    if (!deps.n8n) {
      return {
        outcome: 'refused',
        message: 'The monitor has no n8n to replay through: set N8N_BASE_URL and N8N_API_KEY, or re-send the record from its source system',
      };
    }
    const candidates = replaySources(entry, pair?.lastExecutionId);
    if (candidates.length === 0) {
      return {
        outcome: 'refused',
        message: `No n8n execution is recorded for ${entry.key}, so its input cannot be read back; re-send it from the source system (e.g. move the deal in the CRM again)`,
      };
    }
    // The first run whose input n8n can give back; if none can, the first one's refusal says why.
    let executionId = candidates[0];
    let loaded = await loadReplayInput(deps.n8n.client, executionId);
    for (const next of candidates.slice(1)) {
      if (loaded.ok) break;
      const tried = await loadReplayInput(deps.n8n.client, next);
      if (tried.ok) [executionId, loaded] = [next, tried];
    }
    if (!loaded.ok) return { outcome: 'refused', message: refusalText(loaded) };

    const startedAt = deps.now();
    // "Failed again" is a new failure recorded for the pair, counted rather than timed: clocks are coarse.
    const failuresBefore = pair?.failures ?? 0;
    await deps.store.events.append([
      {
        handoff: entry.handoff,
        key: entry.key,
        kind: OUTCOME_EVENTS.replayed,
        at: startedAt,
        executionId,
        details: { ...(who.by ? { by: who.by } : {}), via: who.via, of: executionId, workflowId: loaded.input.workflowId },
      },
    ]);
    const delivered = await deliverReplay({
      baseUrl: deps.n8n.baseUrl,
      input: loaded.input,
      replayOf: loaded.input.executionId ?? executionId,
      fetch: deps.fetch,
    });
    if (!delivered.ok) return { outcome: 'error', message: `n8n did not take the replay: ${delivered.message}` };

    // The replayed run reports through the nodes like any other: completion or a new failure.
    const deadline = startedAt + timeoutMs;
    for (;;) {
      await deps.flushOutcomes();
      const now = await deps.store.outcomes.pair(entry.handoff, entry.key);
      if (now?.completedAt != null) return { outcome: 'recovered', message: `completed at attempt ${now.attempt ?? '?'}` };
      if (now && now.failures > failuresBefore) {
        return {
          outcome: 'failed_again',
          message: `failed again (${now.lastFailureKind ?? 'failure'}); fix the cause before replaying the rest`,
        };
      }
      if (deps.now() >= deadline) {
        return {
          outcome: 'error',
          message: `no outcome for ${entry.key} within ${Math.round(timeoutMs / 1000)} s of the replay (n8n took it: ${delivered.message}); look at the execution in n8n`,
        };
      }
      await sleep(pollMs);
    }
  };

  const ownerOf = (handoff: string) => deps.contracts.handoff(handoff)?.owner;

  return {
    async plan(filter) {
      return (await deps.store.outcomes.queue(filter)).map((e) => toPlanned(e, ownerOf(e.handoff)));
    },
    async replayOne(entry, who) {
      const r = await attempt(entry, who).catch((err: Error): ReplayAttempt => ({ outcome: 'error', message: err.message }));
      deps.logger.info({ handoff: entry.handoff, key: entry.key, outcome: r.outcome, by: who.by, via: who.via }, 'replay');
      return { handoff: entry.handoff, key: entry.key, outcome: r.outcome, message: r.message };
    },
    async replayAll(filter, opts) {
      const entries = await deps.store.outcomes.queue({ ...filter, limit: MAX_BULK });
      const planned = entries.map((e) => toPlanned(e, ownerOf(e.handoff)));
      if (opts.dryRun) return { dryRun: true, planned, results: [], stopped: null };
      const run = await runReplays(entries, {
        concurrency: opts.concurrency ?? DEFAULT_REPLAY_CONCURRENCY,
        replayOne: (e) => attempt(e, opts.who),
      });
      const results = run.results.map((r) => ({ handoff: r.entry.handoff, key: r.key, outcome: r.outcome, message: r.message }));
      deps.logger.info(
        {
          handoff: filter.handoff,
          kind: filter.kind,
          replays: results.length,
          stopped: run.stopped?.key,
          by: opts.who.by,
          via: opts.who.via,
        },
        'bulk replay',
      );
      return { dryRun: false, planned, results, stopped: run.stopped ?? null };
    },
  };
}
