/**
 * The stall detectors of docs/architecture.md, as pure functions of what the store holds and the time now.
 * A handoff is stalled when
 *   (a) claim:      a claim outlived its completion SLA without complete or release;
 *   (b) execution:  a run sits in running/waiting past its SLA (stuck run, approval nobody answered);
 *   (c) no_outcome: a run succeeded but no claim it made was completed within the SLA;
 *   (d) cadence:    a handoff with an expected cadence had no run in its window (trigger went quiet).
 * Each returns the stalls with the moment the SLA ran out (`since`), the failure signal that time to
 * detection is measured from.
 */
import type { StallKind } from '../domain/stalls';
import type { AwaitingOutcome, OpenClaim, OutcomeState, StoredExecution } from '../domain/store';

export interface Stall {
  kind: StallKind;
  handoff: string;
  /** What stalled: the idempotency key, the execution id, or the handoff itself (cadence). */
  subject: string;
  since: number;
  title: string;
  execution?: { id: string; workflowId?: string };
  idempotencyKey?: string;
  /** Set on a run waiting on a review: the contract route that names the reviewer (else the "stalled" one). */
  route?: 'review_stalled';
}

/** The SLAs a detector needs from the contract (ms). */
export interface StallPolicy {
  completionSla: number;
  /** Approval waits (status waiting) use it when set; otherwise the completion SLA. */
  reviewSla?: number;
  expectedCadence?: number;
}

/** A "missing outcome" is kept on the stalled gauge for a day, then considered reported and done. */
export const NO_OUTCOME_MEMORY_MS = 24 * 3_600_000;

/** One incident per stalled thing; keys longer than the API allows are cut (the key is in the incident body anyway). */
export function stallDedupKey(stall: Pick<Stall, 'kind' | 'handoff' | 'subject'>): string {
  const key = `stall:${stall.kind}:${stall.handoff}:${stall.subject}`;
  return key.length > 512 ? key.slice(0, 512) : key;
}

const minutes = (ms: number) => (ms >= 3_600_000 && ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);

/** (a) */
export function claimStalls(claims: OpenClaim[], policyOf: (handoff: string) => StallPolicy, now: number): Stall[] {
  const out: Stall[] = [];
  for (const c of claims) {
    const sla = policyOf(c.handoff).completionSla;
    const since = c.claimedAt + sla;
    if (since > now) continue;
    out.push({
      kind: 'claim',
      handoff: c.handoff,
      subject: c.key,
      since,
      title: `Claim "${c.key.slice(0, 80)}" of ${c.handoff} was neither completed nor released within its completion SLA (${minutes(sla)})`,
      idempotencyKey: c.key,
      ...(c.executionId ? { execution: { id: c.executionId } } : {}),
    });
  }
  return out;
}

const WAITING = new Set(['waiting']);
const RUNNING = new Set(['running', 'new', 'unknown']);

/**
 * Runs waiting on a review (status waiting, handoff with a reviewSla). The claims they hold are not
 * claim stalls: a review legitimately outlasts the completion SLA, and (b) watches the run itself.
 */
export function reviewingExecutionIds(runs: StoredExecution[], policyOf: (handoff: string) => StallPolicy | undefined): Set<string> {
  return new Set(runs.filter((r) => WAITING.has(r.status) && policyOf(r.handoff)?.reviewSla !== undefined).map((r) => r.id));
}

/** (b) */
export function executionStalls(runs: StoredExecution[], policyOf: (handoff: string) => StallPolicy | undefined, now: number): Stall[] {
  const out: Stall[] = [];
  for (const run of runs) {
    const policy = policyOf(run.handoff);
    if (!policy || run.startedAt === null || !(WAITING.has(run.status) || RUNNING.has(run.status))) continue;
    const waiting = WAITING.has(run.status);
    const review = waiting && policy.reviewSla !== undefined;
    const sla = review ? policy.reviewSla! : policy.completionSla;
    // n8n reports no "waiting since"; the gate runs seconds after the start, so startedAt stands in for it.
    const since = run.startedAt + sla;
    if (since > now) continue;
    out.push({
      kind: 'execution',
      handoff: run.handoff,
      subject: run.id,
      since,
      title: review
        ? `n8n execution ${run.id} of ${run.handoff} has waited longer than ${minutes(sla)}, its review SLA: nobody approved or rejected the review`
        : waiting
          ? `n8n execution ${run.id} of ${run.handoff} has waited longer than ${minutes(sla)} (an approval or callback nobody answered?)`
          : `n8n execution ${run.id} of ${run.handoff} has been ${run.status} for longer than ${minutes(sla)}`,
      execution: { id: run.id, workflowId: run.workflowId },
      ...(review ? { route: 'review_stalled' as const } : {}),
    });
  }
  return out;
}

/** (c): which successes are stalls now, and what to remember about each. */
export function outcomeStalls(
  runs: AwaitingOutcome[],
  policyOf: (handoff: string) => StallPolicy | undefined,
  now: number,
): { stalls: Stall[]; settle: { id: string; outcome: OutcomeState }[] } {
  const stalls: Stall[] = [];
  const settle: { id: string; outcome: OutcomeState }[] = [];
  for (const run of runs) {
    const policy = policyOf(run.handoff);
    if (!policy) continue;
    if (run.completed) {
      settle.push({ id: run.id, outcome: 'ok' });
      continue;
    }
    const since = run.stoppedAt + policy.completionSla;
    if (since > now) continue;
    if (now - since >= NO_OUTCOME_MEMORY_MS) {
      settle.push({ id: run.id, outcome: 'expired' });
      continue;
    }
    if (!run.missing) settle.push({ id: run.id, outcome: 'missing' });
    stalls.push({
      kind: 'no_outcome',
      handoff: run.handoff,
      subject: run.id,
      since,
      title: `n8n execution ${run.id} of ${run.handoff} succeeded, but no claim it made was completed within ${minutes(policy.completionSla)}`,
      execution: { id: run.id, workflowId: run.workflowId },
    });
  }
  return { stalls, settle };
}

/** (d): quiet since the last run (or since the monitor started watching, before any run). */
export function cadenceStall(
  handoff: string,
  policy: StallPolicy | undefined,
  activity: { lastRunAt: number | null; watchingSince: number } | undefined,
  now: number,
): Stall | undefined {
  if (!policy?.expectedCadence || !activity) return undefined;
  const reference = activity.lastRunAt ?? activity.watchingSince;
  const since = reference + policy.expectedCadence;
  if (since > now) return undefined;
  return {
    kind: 'cadence',
    handoff,
    subject: 'cadence',
    since,
    title:
      activity.lastRunAt === null
        ? `${handoff} has had no run since the monitor started watching it, and expects one every ${minutes(policy.expectedCadence)}`
        : `${handoff} has had no run for longer than its expected cadence (${minutes(policy.expectedCadence)}): did its trigger go quiet?`,
  };
}
