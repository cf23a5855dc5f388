/** The claims helpers both stores share (monitor/src/store/rows/claims.ts): the decision's input and a completed claim. */
import { claimInput, fromCompletionRow } from '../../monitor/src/store/rows/claims';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const DAY = 86_400_000;

describe('claimInput', () => {
  it("asks about one key with the batch's handoff, lease, run and workflow", () => {
    const batch = {
      handoff: 'kickoff',
      leaseMs: 900_000,
      executionId: '501',
      workflowId: '101',
      items: [{ key: 'deal-1', fingerprint: 'f1' }, { key: 'deal-2' }],
    };
    expect(claimInput(batch, batch.items[0], T0, 30 * DAY)).toEqual({
      handoff: 'kickoff',
      key: 'deal-1',
      fingerprint: 'f1',
      leaseMs: 900_000,
      now: T0,
      retentionMs: 30 * DAY,
      executionId: '501',
      workflowId: '101',
    });
    expect(claimInput({ handoff: 'kickoff', leaseMs: 1000, items: [] }, { key: 'deal-2' }, T0, DAY)).toEqual({
      handoff: 'kickoff',
      key: 'deal-2',
      fingerprint: undefined,
      leaseMs: 1000,
      now: T0,
      retentionMs: DAY,
      executionId: undefined,
      workflowId: undefined,
    });
  });
});

describe('fromCompletionRow', () => {
  it('names a completed claim as the dashboard lists it', () => {
    expect(
      fromCompletionRow({ handoff: 'kickoff', key: 'deal-1', attempt: 2, claimed_at: T0, completed_at: T0 + 5000, execution_id: null }),
    ).toEqual({
      handoff: 'kickoff',
      key: 'deal-1',
      attempt: 2,
      claimedAt: T0,
      completedAt: T0 + 5000,
      executionId: null,
    });
  });
});
