/**
 * The ledger store, called directly, on SQLite and on Postgres: the same decisions, the same trace,
 * the same counters, and one `new` however many claims of a key arrive at once.
 */
import type { ClaimBatch } from '../../monitor/src/domain/store';
import { openTestStore, RETENTION_MS, type OpenedStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const LEASE = 60_000;

const batch = (keys: (string | [string, string])[], extra: Partial<ClaimBatch> = {}): ClaimBatch => ({
  handoff: 'kickoff',
  leaseMs: LEASE,
  items: keys.map((k) => (typeof k === 'string' ? { key: k } : { key: k[0], fingerprint: k[1] })),
  ...extra,
});

describe.each(storeKinds)('ledger store on %s', (kind) => {
  let s: OpenedStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
  });
  afterEach(async () => {
    await s.close();
  });

  it('decides new, in_progress, conflict, duplicate; answers in request order with repeats in the batch', async () => {
    const { ledger } = s.store;
    const first = await ledger.claim(batch(['b', ['a', 'f1'], 'b', ['a', 'f2']], { executionId: 'e1', workflowId: 'w1' }), T0);
    expect(first).toEqual([
      { key: 'b', decision: 'new', attempt: 1, state: 'claimed', leaseExpiresAt: new Date(T0 + LEASE).toISOString() },
      { key: 'a', decision: 'new', attempt: 1, state: 'claimed', leaseExpiresAt: new Date(T0 + LEASE).toISOString() },
      {
        key: 'b',
        decision: 'in_progress',
        attempt: 1,
        state: 'claimed',
        reason: 'another execution holds a live lease',
        leaseExpiresAt: new Date(T0 + LEASE).toISOString(),
      },
      expect.objectContaining({ key: 'a', decision: 'conflict', attempt: 1, state: 'claimed' }),
    ]);
    const settled = await ledger.settle('complete', { handoff: 'kickoff', keys: ['a', 'a', 'nope'] }, T0 + 1);
    expect(settled).toEqual([
      { key: 'a', outcome: 'completed', state: 'completed', attempt: 1 },
      { key: 'a', outcome: 'already_completed', state: 'completed', attempt: 1 },
      { key: 'nope', outcome: 'not_found' },
    ]);
    expect((await ledger.claim(batch([['a', 'f1']]), T0 + 2))[0]).toEqual({
      key: 'a',
      decision: 'duplicate',
      attempt: 1,
      state: 'completed',
      reason: 'completed',
    });
    // A completed key cannot be released: that would invite a duplicate.
    expect((await ledger.settle('release', { handoff: 'kickoff', keys: ['a'] }, T0 + 3))[0].outcome).toBe('already_completed');
  });

  it('a released key and an expired lease start the next attempt; the expiry and the settlements are traced', async () => {
    const { ledger, events } = s.store;
    await ledger.claim(batch(['r', 'x'], { executionId: 'e1' }), T0);
    expect(await ledger.settle('release', { handoff: 'kickoff', keys: ['r'], reason: 'task board down' }, T0 + 10)).toEqual([
      { key: 'r', outcome: 'released', state: 'released', attempt: 1 },
    ]);
    expect((await ledger.settle('release', { handoff: 'kickoff', keys: ['r'] }, T0 + 11))[0].outcome).toBe('already_released');
    expect((await ledger.claim(batch(['r']), T0 + 20))[0]).toMatchObject({
      decision: 'new',
      attempt: 2,
      reason: 'previous attempt released',
    });

    // One millisecond before expiry the lease is live; at expiry it is not.
    expect((await ledger.claim(batch(['x']), T0 + LEASE - 1))[0].decision).toBe('in_progress');
    expect((await ledger.claim(batch(['x'], { executionId: 'e2' }), T0 + LEASE))[0]).toMatchObject({
      decision: 'new',
      attempt: 2,
      reason: 'previous lease expired',
    });

    expect(await events.trace('kickoff', 'x')).toEqual([
      {
        id: expect.any(Number),
        handoff: 'kickoff',
        key: 'x',
        kind: 'lease_expired',
        at: T0 + LEASE,
        executionId: 'e1',
        details: { attempt: 1, leaseExpiresAt: new Date(T0 + LEASE).toISOString() },
      },
    ]);
    expect((await events.trace('kickoff', 'r')).map((e) => [e.kind, e.details])).toEqual([
      ['released', { attempt: 1, reason: 'task board down' }],
    ]);
  });

  it('counts every decision per handoff in the claim transaction', async () => {
    const { ledger } = s.store;
    await ledger.claim(batch(['a', 'b', 'a']), T0);
    await ledger.claim({ ...batch(['a']), handoff: 'other' }, T0);
    await ledger.settle('complete', { handoff: 'kickoff', keys: ['b'] }, T0);
    await ledger.claim(batch(['b', 'b', 'c']), T0);
    const counters = (await ledger.claimCounters()).sort((x, y) =>
      `${x.handoff}/${x.decision}`.localeCompare(`${y.handoff}/${y.decision}`),
    );
    expect(counters).toEqual([
      { handoff: 'kickoff', decision: 'duplicate', count: 2 },
      { handoff: 'kickoff', decision: 'in_progress', count: 1 },
      { handoff: 'kickoff', decision: 'new', count: 3 },
      { handoff: 'other', decision: 'new', count: 1 },
    ]);
  });

  it('purges completed keys past retention, and a purged key starts over at attempt 1', async () => {
    const { ledger } = s.store;
    await ledger.claim(batch(['old', 'recent', 'open']), T0);
    await ledger.settle('complete', { handoff: 'kickoff', keys: ['old'] }, T0);
    await ledger.settle('complete', { handoff: 'kickoff', keys: ['recent'] }, T0 + 1_000);
    expect(await ledger.purgeCompleted(T0 + RETENTION_MS)).toBe(1);
    expect(await ledger.purgeCompleted(T0 + RETENTION_MS)).toBe(0);
    const after = await ledger.claim(batch(['old', 'recent', 'open']), T0 + RETENTION_MS + 1);
    expect(after.map((r) => `${r.key}:${r.decision}/${r.attempt}`)).toEqual(['old:new/1', 'recent:duplicate/1', 'open:new/2']);
  });

  it('50 concurrent claims of one key through one store → exactly one new', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.store.ledger.claim(batch(['k'], { executionId: `e${i}` }), T0)),
    );
    const decisions = answers.map((a) => a[0].decision);
    expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'in_progress')).toHaveLength(49);
  });

  it('overlapping batches in opposite key orders all finish, and each key is new exactly once', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    const orders = [keys, [...keys].reverse(), keys.filter((_, i) => i % 2 === 0), [...keys].reverse().filter((_, i) => i % 3 === 0)];
    const answers = await Promise.all(orders.flatMap((order) => [order, order]).map((order) => s.store.ledger.claim(batch(order), T0)));
    const newPerKey = new Map<string, number>();
    for (const results of answers) for (const r of results) if (r.decision === 'new') newPerKey.set(r.key, (newPerKey.get(r.key) ?? 0) + 1);
    expect(newPerKey.size).toBe(keys.length);
    expect([...newPerKey.values()].every((n) => n === 1)).toBe(true);
  });

  it('appends node checkpoints and reads one key back in time order', async () => {
    const { events } = s.store;
    expect(
      await events.append([
        { handoff: 'kickoff', key: 'd1', kind: 'verified', at: T0 + 5, executionId: '9', details: { z: 1, a: [1, 'two'] } },
        { handoff: 'kickoff', key: 'd1', kind: 'validated', at: T0 },
        { handoff: 'kickoff', key: 'd2', kind: 'validated', at: T0 },
        { handoff: 'kickoff', kind: 'smoke', at: T0 },
      ]),
    ).toBe(4);
    const trace = await events.trace('kickoff', 'd1');
    expect(trace.map(({ id: _id, ...e }) => e)).toEqual([
      { handoff: 'kickoff', key: 'd1', kind: 'validated', at: T0, executionId: undefined, details: undefined },
      { handoff: 'kickoff', key: 'd1', kind: 'verified', at: T0 + 5, executionId: '9', details: { z: 1, a: [1, 'two'] } },
    ]);
    expect(JSON.stringify(trace[1].details)).toBe('{"z":1,"a":[1,"two"]}'); // key order kept as written
    expect(await events.trace('kickoff', 'd1', 1)).toHaveLength(1);
  });

  it('keys are opaque: case, Unicode, quotes and long keys stay distinct', async () => {
    const keys = ['Deal-1', 'deal-1', 'déal-1', "d'1", 'd"1', 'd,1', '{d1}', 'k'.repeat(512), '🙂'];
    const results = await s.store.ledger.claim(batch(keys), T0);
    expect(results.map((r) => r.decision)).toEqual(keys.map(() => 'new'));
    expect((await s.store.ledger.claim(batch(keys), T0)).map((r) => r.key)).toEqual(keys);
  });

  it('answers a 10,000-key batch completely and in order', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `deal-${(i * 7919) % 10_000}`);
    const results = await s.store.ledger.claim(batch(keys), T0);
    expect(results.map((r) => r.key)).toEqual(keys);
    expect(results.every((r) => r.decision === 'new')).toBe(true);
    expect((await s.store.ledger.claim(batch(keys.slice(0, 3)), T0)).map((r) => r.decision)).toEqual([
      'in_progress',
      'in_progress',
      'in_progress',
    ]);
  });

  it('pings', async () => {
    await expect(s.store.ping()).resolves.toBeUndefined();
    expect(s.store.kind).toBe(kind);
  });
});
