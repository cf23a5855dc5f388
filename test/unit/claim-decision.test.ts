import { ClaimRecord, decideClaim, decideSettle } from '../../monitor/src/ledger/decide';

const NOW = 1_700_000_000_000;
const LEASE = 60_000;
const RETENTION = 30 * 86_400_000;

const record = (over: Partial<ClaimRecord>): ClaimRecord => ({
  handoff: 'kickoff',
  key: 'deal-1',
  state: 'claimed',
  attempt: 1,
  fingerprint: null,
  claimedAt: NOW - 1_000,
  leaseExpiresAt: NOW + 10_000,
  completedAt: null,
  releasedAt: null,
  executionId: 'e1',
  workflowId: 'w1',
  reason: null,
  ...over,
});

const input = (over: Partial<Parameters<typeof decideClaim>[1]> = {}) => ({
  handoff: 'kickoff',
  key: 'deal-1',
  leaseMs: LEASE,
  now: NOW,
  retentionMs: RETENTION,
  executionId: 'e2',
  ...over,
});

describe('decideClaim (docs/architecture.md, Ledger API)', () => {
  it('writes a first attempt for a key it has no record of: the SQLite ledger inserts exactly these literals', () => {
    const { write } = decideClaim(undefined, input({ fingerprint: 'fp', workflowId: 'w9' }));
    expect(write).toEqual({
      handoff: 'kickoff',
      key: 'deal-1',
      state: 'claimed',
      attempt: 1,
      fingerprint: 'fp',
      claimedAt: NOW,
      leaseExpiresAt: NOW + LEASE,
      completedAt: null,
      releasedAt: null,
      executionId: 'e2',
      workflowId: 'w9',
      reason: null,
    });
  });

  it.each([
    ['no record', undefined, {}, 'new', 1, 'claimed'],
    ['completed', record({ state: 'completed', completedAt: NOW - 5_000, leaseExpiresAt: null }), {}, 'duplicate', 1, 'completed'],
    ['claimed, live lease', record({}), {}, 'in_progress', 1, 'claimed'],
    ['claimed, lease expired', record({ leaseExpiresAt: NOW - 1 }), {}, 'new', 2, 'claimed'],
    ['claimed, lease expires exactly now', record({ leaseExpiresAt: NOW }), {}, 'new', 2, 'claimed'],
    ['released', record({ state: 'released', attempt: 3, leaseExpiresAt: null, releasedAt: NOW - 10 }), {}, 'new', 4, 'claimed'],
    [
      'completed past retention',
      record({ state: 'completed', attempt: 2, completedAt: NOW - RETENTION, leaseExpiresAt: null }),
      {},
      'new',
      1,
      'claimed',
    ],
    [
      'completed just inside retention',
      record({ state: 'completed', completedAt: NOW - RETENTION + 1, leaseExpiresAt: null }),
      {},
      'duplicate',
      1,
      'completed',
    ],
    ['different fingerprint', record({ fingerprint: 'aaa' }), { fingerprint: 'bbb' }, 'conflict', 1, 'claimed'],
    [
      'different fingerprint on a completed key',
      record({ state: 'completed', fingerprint: 'aaa', completedAt: NOW - 1, leaseExpiresAt: null }),
      { fingerprint: 'bbb' },
      'conflict',
      1,
      'completed',
    ],
    [
      'same fingerprint on a completed key',
      record({ state: 'completed', fingerprint: 'aaa', completedAt: NOW - 1, leaseExpiresAt: null }),
      { fingerprint: 'aaa' },
      'duplicate',
      1,
      'completed',
    ],
    [
      'fingerprint now, none before',
      record({ state: 'completed', completedAt: NOW - 1, leaseExpiresAt: null }),
      { fingerprint: 'bbb' },
      'duplicate',
      1,
      'completed',
    ],
    ['no fingerprint now, one before', record({ fingerprint: 'aaa' }), {}, 'in_progress', 1, 'claimed'],
  ] as const)('%s → %s', (_name, existing, over, decision, attempt, state) => {
    const outcome = decideClaim(existing, input(over));
    expect(outcome.decision).toBe(decision);
    expect(outcome.record.attempt).toBe(attempt);
    expect(outcome.record.state).toBe(state);
  });

  it('a new claim starts a lease of the requested length and records the execution', () => {
    const outcome = decideClaim(undefined, input({ fingerprint: 'fp' }));
    expect(outcome.write).toMatchObject({
      state: 'claimed',
      leaseExpiresAt: NOW + LEASE,
      executionId: 'e2',
      fingerprint: 'fp',
      claimedAt: NOW,
    });
  });

  it('a retried claim after lease expiry reports the stall and keeps the fingerprint', () => {
    const outcome = decideClaim(record({ leaseExpiresAt: NOW - 5, fingerprint: 'fp', executionId: 'e1' }), input());
    expect(outcome.expiredLease).toEqual({ attempt: 1, leaseExpiresAt: NOW - 5, executionId: 'e1' });
    expect(outcome.write?.fingerprint).toBe('fp');
    expect(outcome.reason).toMatch(/expired/);
  });

  it('leaves the ledger untouched for duplicate, in_progress and conflict', () => {
    expect(decideClaim(record({}), input()).write).toBeUndefined();
    expect(decideClaim(record({ state: 'completed', completedAt: NOW, leaseExpiresAt: null }), input()).write).toBeUndefined();
    expect(decideClaim(record({ fingerprint: 'a' }), input({ fingerprint: 'b' })).write).toBeUndefined();
  });
});

describe('decideSettle', () => {
  it.each([
    ['complete', undefined, 'not_found', undefined],
    ['complete', record({}), 'completed', 'completed'],
    ['complete', record({ leaseExpiresAt: NOW - 100 }), 'completed', 'completed'],
    ['complete', record({ state: 'released', leaseExpiresAt: null }), 'completed', 'completed'],
    ['complete', record({ state: 'completed', completedAt: NOW - 1 }), 'already_completed', 'completed'],
    ['release', undefined, 'not_found', undefined],
    ['release', record({}), 'released', 'released'],
    ['release', record({ state: 'released', leaseExpiresAt: null }), 'already_released', 'released'],
    ['release', record({ state: 'completed', completedAt: NOW - 1 }), 'already_completed', 'completed'],
  ] as const)('%s on %o → %s', (action, existing, outcome, state) => {
    const result = decideSettle(existing, action, NOW, 'why');
    expect(result.outcome).toBe(outcome);
    expect(result.record?.state).toBe(state);
  });

  it('completing clears the lease and stamps the time', () => {
    const result = decideSettle(record({}), 'complete', NOW, 'done');
    expect(result.write).toMatchObject({ state: 'completed', completedAt: NOW, leaseExpiresAt: null, reason: 'done' });
  });
});
