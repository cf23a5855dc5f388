/**
 * Pending reviews (issue 10): runs of a handoff with a reviewSla that sit in n8n's "waiting" status,
 * i.e. parked on a review gate. Pure over the unfinished runs the collector stored, so the overview
 * and the Monday report show the same list without a query of their own.
 */
import type { IncidentPerson } from '../../../protocol/incidents';
import type { Contract } from '../contract/schema';
import { resolveOwner } from '../incidents/owner';
import type { StoredExecution } from '../domain/store';

export interface PendingReview {
  handoff: string;
  name: string;
  executionId: string;
  workflowId: string;
  /** n8n reports no "waiting since": the run's start stands in (the gate follows it within seconds). */
  since: number;
  ageMs: number;
  reviewSlaMs: number;
  overdue: boolean;
  /** Who a stalled review goes to: the contract's review_stalled route, else the owner. */
  reviewer: IncidentPerson;
}

/** Oldest first: the longest wait is the one to chase. */
export function pendingReviews(runs: StoredExecution[], contract: Contract, now: number): PendingReview[] {
  const out: PendingReview[] = [];
  for (const run of runs) {
    const h = contract.handoffs.find((x) => x.id === run.handoff);
    if (!h?.reviewSla || run.status !== 'waiting' || run.startedAt === null) continue;
    const ageMs = Math.max(0, now - run.startedAt);
    out.push({
      handoff: h.id,
      name: h.name ?? h.id,
      executionId: run.id,
      workflowId: run.workflowId,
      since: run.startedAt,
      ageMs,
      reviewSlaMs: h.reviewSla,
      overdue: ageMs >= h.reviewSla,
      reviewer: resolveOwner(h, 'review_stalled').owner,
    });
  }
  return out.sort((a, b) => a.since - b.since);
}
