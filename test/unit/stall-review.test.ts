/** Detector (b) for review gates (issue 10): a run waiting on a review is measured against reviewSla and routed to the reviewer. */
import { executionStalls, reviewingExecutionIds, type StallPolicy } from '../../monitor/src/stalls/detect';
import type { StoredExecution } from '../../monitor/src/domain/store';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const reviewed: StallPolicy = { completionSla: 15 * M, reviewSla: 24 * H };
const plain: StallPolicy = { completionSla: 15 * M };
const policyOf = (h: string) => (h === 'kickoff' ? reviewed : h === 'plain' ? plain : undefined);
const run = (over: Partial<StoredExecution>): StoredExecution => ({
  id: '7',
  handoff: 'kickoff',
  workflowId: '101',
  status: 'waiting',
  mode: 'webhook',
  startedAt: NOW,
  stoppedAt: null,
  waitTill: null,
  retryOf: null,
  retrySuccessId: null,
  finished: false,
  failedNode: null,
  errorMessage: null,
  ...over,
});

it.each([
  ['waiting 23h on a 24h review', run({ startedAt: NOW - 23 * H }), undefined],
  ['waiting 24h on a 24h review', run({ startedAt: NOW - 24 * H }), 'review_stalled'],
  ['waiting 20m without a review SLA', run({ handoff: 'plain', startedAt: NOW - 20 * M }), null],
  ['running 20m on a reviewed handoff (stuck, not a review)', run({ status: 'running', startedAt: NOW - 20 * M }), null],
])('%s → route %s', (_label, r, route) => {
  const [stall] = executionStalls([r], policyOf, NOW);
  if (route === undefined) return expect(stall).toBeUndefined();
  expect(stall.kind).toBe('execution');
  expect(stall.route).toBe(route ?? undefined);
  if (route) expect(stall.title).toContain('waited longer than 24h, its review SLA');
});

it('names the runs that hold a review, so their claims are not reported as claim stalls too', () => {
  const runs = [
    run({ id: '1' }),
    run({ id: '2', status: 'running' }),
    run({ id: '3', handoff: 'plain' }),
    run({ id: '4', handoff: 'unknown' }),
  ];
  expect([...reviewingExecutionIds(runs, policyOf)]).toEqual(['1']);
});
