/**
 * The detectors' tick: read the store, run the pure detectors, open one incident per new stall, and
 * keep the per-(handoff, kind) counts for the handoff_stalled gauge. It also moves the rolling
 * windows and folds resolved incidents into time to recovery, so /metrics only ever reads.
 */
import type { Logger } from 'pino';
import type { ContractStore } from '../contract/store';
import type { Contract, Handoff } from '../contract/schema';
import type { MonitorStore } from '../domain/store';
import {
  cadenceStall,
  claimStalls,
  executionStalls,
  outcomeStalls,
  reviewingExecutionIds,
  type Stall,
  stallDedupKey,
  type StallPolicy,
} from './detect';
import { type StallKind } from '../domain/stalls';
import type { FindingReporter } from './report-incident';

/** Bounds per tick, so a backlog of thousands of stalls is worked through over a few ticks. */
const MAX_OPEN_CLAIMS = 10_000;
const MAX_UNFINISHED = 10_000;
const MAX_AWAITING_PER_HANDOFF = 500;
const MAX_REPORTS_PER_TICK = 200;

/** The contract's default completion SLA, for claims of handoffs the contract does not name. */
const DEFAULT_POLICY: StallPolicy = { completionSla: 15 * 60_000 };

export interface StallTickResult {
  stalls: Stall[];
  opened: number;
}

export interface StallDetector {
  tick(): Promise<StallTickResult>;
  /** Current stalls per handoff and kind (the latest tick's view). */
  counts(): ReadonlyMap<string, ReadonlyMap<StallKind, number>>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const policyOf = (h: Handoff): StallPolicy => ({
  completionSla: h.completionSla,
  reviewSla: h.reviewSla,
  expectedCadence: h.expectedCadence,
});

export function createStallDetector(deps: {
  store: MonitorStore;
  contracts: ContractStore;
  report: FindingReporter;
  now: () => number;
  logger: Logger;
}): StallDetector {
  let counts = new Map<string, Map<StallKind, number>>();
  /** Stalls already reported by this process: a stall that persists is one incident, not one per tick. */
  let reported = new Set<string>();
  let watchedContract: Contract | undefined;
  let running: Promise<StallTickResult> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const run = async (): Promise<StallTickResult> => {
    const now = deps.now();
    const { store } = deps;
    await store.aggregates.advance(now);
    await store.aggregates.foldResolvedIncidents();

    const contract = deps.contracts.current();
    if (contract !== watchedContract) {
      await store.stalls.watch(
        contract.handoffs.map((h) => h.id),
        now,
      );
      watchedContract = contract;
    }
    const policies = new Map(contract.handoffs.map((h) => [h.id, policyOf(h)]));
    const lookup = (id: string) => policies.get(id);

    const unfinished = await store.executions.unfinished(MAX_UNFINISHED);
    const reviewing = reviewingExecutionIds(unfinished, lookup);
    const claims = (await store.stalls.openClaims(MAX_OPEN_CLAIMS)).filter((c) => c.executionId === null || !reviewing.has(c.executionId));
    const stalls: Stall[] = [
      ...claimStalls(claims, (id) => lookup(id) ?? DEFAULT_POLICY, now),
      ...executionStalls(unfinished, lookup, now),
    ];
    for (const [id, policy] of policies) {
      const awaiting = await store.stalls.awaitingOutcome(id, now - policy.completionSla, MAX_AWAITING_PER_HANDOFF);
      if (awaiting.length === 0) continue;
      const found = outcomeStalls(awaiting, lookup, now);
      await store.stalls.settleOutcomes(found.settle);
      stalls.push(...found.stalls);
    }
    const activity = new Map((await store.stalls.activity()).map((a) => [a.handoff, a]));
    for (const [id, policy] of policies) {
      const stall = cadenceStall(id, policy, activity.get(id), now);
      if (stall) stalls.push(stall);
    }

    const nextCounts = new Map<string, Map<StallKind, number>>();
    const nextReported = new Set<string>();
    let opened = 0;
    let reports = 0;
    for (const stall of stalls) {
      const perKind = nextCounts.get(stall.handoff) ?? new Map<StallKind, number>();
      perKind.set(stall.kind, (perKind.get(stall.kind) ?? 0) + 1);
      nextCounts.set(stall.handoff, perKind);
      const key = stallDedupKey(stall);
      if (reported.has(key)) {
        nextReported.add(key);
        continue;
      }
      if (reports >= MAX_REPORTS_PER_TICK) continue;
      reports++;
      try {
        const result = await deps.report({
          handoff: stall.handoff,
          kind: 'stalled',
          ...(stall.route ? { route: stall.route } : {}),
          dedupKey: key,
          title: stall.title,
          signalAt: stall.since,
          execution: stall.execution,
          idempotencyKey: stall.idempotencyKey,
          context: { stall: stall.kind, since: new Date(stall.since).toISOString() },
        });
        nextReported.add(key);
        if (result.opened) opened++;
      } catch (err) {
        deps.logger.error({ err, handoff: stall.handoff, stall: stall.kind }, 'could not open the stall incident; retrying next tick');
      }
    }
    counts = nextCounts;
    reported = nextReported;
    if (opened) deps.logger.warn({ opened, stalls: stalls.length }, 'stalled handoffs: incidents opened');
    return { stalls, opened };
  };

  const tick = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    tick,
    counts: () => counts,
    start(intervalMs) {
      const loop = () => {
        tick()
          .catch((err) => deps.logger.error({ err }, 'stall detector tick failed'))
          .finally(() => {
            if (timer !== undefined) {
              timer = setTimeout(loop, intervalMs);
              timer.unref();
            }
          });
      };
      timer = setTimeout(loop, 0);
      timer.unref();
    },
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running?.catch(() => undefined);
    },
  };
}
