/** Detectors (a)–(d) of docs/architecture.md as table tests: what is a stall, and since when. */
import {
  cadenceStall,
  claimStalls,
  executionStalls,
  NO_OUTCOME_MEMORY_MS,
  outcomeStalls,
  stallDedupKey,
  type StallPolicy,
} from '../../monitor/src/stalls/detect';
import type { AwaitingOutcome, OpenClaim, StoredExecution } from '../../monitor/src/domain/store';

const M = 60_000;
const H = 60 * M;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const policy: StallPolicy = { completionSla: 15 * M, reviewSla: 2 * H, expectedCadence: 24 * H };
const policyOf = (h: string) => (h === 'kickoff' ? policy : undefined);

const claim = (over: Partial<OpenClaim>): OpenClaim => ({
  handoff: 'kickoff',
  key: 'deal-1',
  claimedAt: NOW,
  leaseExpiresAt: NOW + 15 * M,
  executionId: null,
  ...over,
});
const run = (over: Partial<StoredExecution>): StoredExecution => ({
  id: '7',
  handoff: 'kickoff',
  workflowId: '101',
  status: 'running',
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
const success = (over: Partial<AwaitingOutcome>): AwaitingOutcome => ({
  id: '9',
  handoff: 'kickoff',
  workflowId: '101',
  stoppedAt: NOW,
  completed: false,
  missing: false,
  ...over,
});

describe('(a) claim outlived its completion SLA', () => {
  it.each([
    ['claimed just now', NOW, 0],
    ['claimed 14m59s ago', NOW - 15 * M + 1_000, 0],
    ['claimed exactly 15m ago', NOW - 15 * M, 1],
    ['claimed 3h ago', NOW - 3 * H, 1],
  ])('%s → %i stall(s)', (_label, claimedAt, expected) => {
    const stalls = claimStalls([claim({ claimedAt })], (h) => policyOf(h) ?? { completionSla: 15 * M }, NOW);
    expect(stalls).toHaveLength(expected);
    if (expected)
      expect(stalls[0]).toMatchObject({
        kind: 'claim',
        handoff: 'kickoff',
        subject: 'deal-1',
        since: claimedAt + 15 * M,
        idempotencyKey: 'deal-1',
      });
  });

  it('uses each handoff’s own SLA', () => {
    const slow = (h: string) => ({ completionSla: h === 'slow' ? 4 * H : 15 * M });
    const stalls = claimStalls([claim({ handoff: 'slow', claimedAt: NOW - H }), claim({ handoff: 'fast', claimedAt: NOW - H })], slow, NOW);
    expect(stalls.map((s) => s.handoff)).toEqual(['fast']);
  });

  it('carries the claiming execution when the claim named one', () => {
    expect(claimStalls([claim({ claimedAt: NOW - H, executionId: '42' })], () => policy, NOW)[0].execution).toEqual({ id: '42' });
  });
});

describe('(b) execution running or waiting past its SLA', () => {
  it.each([
    ['running 10m', 'running', NOW - 10 * M, 0, 0],
    ['running 15m (completion SLA)', 'running', NOW - 15 * M, 1, NOW],
    ['new for an hour', 'new', NOW - H, 1, NOW - 45 * M],
    ['waiting 1h (review SLA is 2h)', 'waiting', NOW - H, 0, 0],
    ['waiting 2h', 'waiting', NOW - 2 * H, 1, NOW],
    ['finished long ago', 'success', NOW - 5 * H, 0, 0],
  ])('%s → %i stall(s)', (_label, status, startedAt, expected, since) => {
    const stalls = executionStalls([run({ status, startedAt })], policyOf, NOW);
    expect(stalls).toHaveLength(expected);
    if (expected) expect(stalls[0]).toMatchObject({ kind: 'execution', subject: '7', since, execution: { id: '7', workflowId: '101' } });
  });

  it('falls back to the completion SLA for waits when there is no review SLA', () => {
    const noReview = () => ({ completionSla: 15 * M });
    expect(executionStalls([run({ status: 'waiting', startedAt: NOW - 20 * M })], noReview, NOW)).toHaveLength(1);
  });

  it('ignores runs of handoffs the contract does not name, and runs without a start time', () => {
    expect(executionStalls([run({ handoff: 'other', startedAt: NOW - 5 * H }), run({ startedAt: null })], policyOf, NOW)).toEqual([]);
  });
});

describe('(c) success without outcome', () => {
  it.each([
    ['completed claim → ok, no stall', { completed: true, stoppedAt: NOW - H }, 0, 'ok'],
    ['within the SLA → wait', { stoppedAt: NOW - 10 * M }, 0, undefined],
    ['past the SLA, first time → stall, remembered as missing', { stoppedAt: NOW - 16 * M }, 1, 'missing'],
    ['past the SLA, already missing → still a stall, nothing to write', { stoppedAt: NOW - H, missing: true }, 1, undefined],
    [
      'missing for over a day → expired, no longer a stall',
      { stoppedAt: NOW - NO_OUTCOME_MEMORY_MS - 15 * M, missing: true },
      0,
      'expired',
    ],
  ])('%s', (_label, over, stalls, outcome) => {
    const found = outcomeStalls([success(over)], policyOf, NOW);
    expect(found.stalls).toHaveLength(stalls);
    expect(found.settle).toEqual(outcome ? [{ id: '9', outcome }] : []);
    if (stalls) expect(found.stalls[0]).toMatchObject({ kind: 'no_outcome', subject: '9', since: (over.stoppedAt as number) + 15 * M });
  });
});

describe('(d) expected cadence missed', () => {
  it.each([
    ['ran 23h ago', { lastRunAt: NOW - 23 * H, watchingSince: NOW - 100 * H }, undefined],
    ['ran 24h ago', { lastRunAt: NOW - 24 * H, watchingSince: NOW - 100 * H }, NOW],
    ['never ran, watched for 30h', { lastRunAt: null, watchingSince: NOW - 30 * H }, NOW - 6 * H],
    ['never ran, watched for 1h', { lastRunAt: null, watchingSince: NOW - H }, undefined],
  ])('%s', (_label, activity, since) => {
    const stall = cadenceStall('kickoff', policy, activity, NOW);
    expect(stall?.since).toBe(since);
    if (stall) expect(stall).toMatchObject({ kind: 'cadence', subject: 'cadence' });
  });

  it('never fires for a handoff without an expected cadence', () => {
    expect(cadenceStall('kickoff', { completionSla: M }, { lastRunAt: 0, watchingSince: 0 }, NOW)).toBeUndefined();
  });
});

describe('dedup keys', () => {
  it('name the kind, the handoff and the stalled thing, within the API limit', () => {
    expect(stallDedupKey({ kind: 'claim', handoff: 'kickoff', subject: 'deal-1' })).toBe('stall:claim:kickoff:deal-1');
    expect(stallDedupKey({ kind: 'claim', handoff: 'kickoff', subject: 'x'.repeat(600) })).toHaveLength(512);
  });
});
