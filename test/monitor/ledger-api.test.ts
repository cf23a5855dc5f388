/** The ledger API over real HTTP, once per store: SQLite (embedded) and Postgres (scale-out). */
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

/** Every API failure's body (monitor/src/api/errors.ts). */
type ApiErrorBody = { error: { code: string; message: string } };
/** What /readyz answers (monitor/src/api/routes/health.ts). */
type ReadyBody = { status: 'ready' | 'not_ready'; checks: Record<string, string> };

describe.each(storeKinds)('ledger API on %s', (kind) => {
  let m: TestMonitor;
  // Real time, moved forward by a test that needs a lease to run out (no waiting for it).
  let ahead = 0;
  beforeEach(async () => {
    ahead = 0;
    m = await startTestMonitor({ store: kind, deps: { now: () => Date.now() + ahead } });
  });
  afterEach(async () => {
    await m.close();
  });

  const claim = (items: object[], extra: object = {}) => m.post('/api/v1/claims', { handoff: 'kickoff', items, ...extra });

  describe(`claims over real HTTP on a real ${kind} store`, () => {
    it('50 concurrent claims of one key → exactly one new, 49 in_progress', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => claim([{ key: 'deal-42' }], { execution: { id: `e${i}`, workflowId: 'w1' } })),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      const decisions = responses.map((r) => r.body.results[0].decision);
      expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
      expect(decisions.filter((d) => d === 'in_progress')).toHaveLength(49);
    });

    it('walks a key through new → in_progress → completed → duplicate, and a changed payload → conflict', async () => {
      const first = await claim([{ key: 'd1', fingerprint: 'f1' }]);
      expect(first.body.results[0]).toMatchObject({ key: 'd1', decision: 'new', attempt: 1, state: 'claimed' });
      expect(Date.parse(first.body.results[0].leaseExpiresAt)).toBeGreaterThan(Date.now() + 14 * 60_000); // contract completionSla 15m

      expect((await claim([{ key: 'd1', fingerprint: 'f1' }])).body.results[0].decision).toBe('in_progress');
      expect((await claim([{ key: 'd1', fingerprint: 'f2' }])).body.results[0].decision).toBe('conflict');

      const done = await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: ['d1', 'never-claimed'] });
      expect(done.body.results).toEqual([
        { key: 'd1', outcome: 'completed', state: 'completed', attempt: 1 },
        { key: 'never-claimed', outcome: 'not_found' },
      ]);
      expect((await claim([{ key: 'd1', fingerprint: 'f1' }])).body.results[0]).toMatchObject({
        decision: 'duplicate',
        reason: 'completed',
      });
    });

    it('a released key and an expired lease come back as new with the next attempt, and the expiry is traced', async () => {
      await claim([{ key: 'r1' }, { key: 'x1' }], { leaseSeconds: 1 });
      await m.post('/api/v1/claims/release', { handoff: 'kickoff', keys: ['r1'], reason: 'task board down' });
      expect((await claim([{ key: 'r1' }])).body.results[0]).toMatchObject({ decision: 'new', attempt: 2 });

      ahead += 1_100; // past the 1 s lease
      expect((await claim([{ key: 'x1' }])).body.results[0]).toMatchObject({
        decision: 'new',
        attempt: 2,
        reason: 'previous lease expired',
      });
      const trace = await m.monitor.store.events.trace('kickoff', 'x1');
      expect(trace.map((e) => e.kind)).toEqual(['lease_expired']);
    });

    it('answers a batch in request order, duplicates within the batch included', async () => {
      const res = await claim([{ key: 'a' }, { key: 'b' }, { key: 'a' }]);
      expect(res.body.results.map((r: { key: string; decision: string }) => `${r.key}:${r.decision}`)).toEqual([
        'a:new',
        'b:new',
        'a:in_progress',
      ]);
    });

    it('a restart keeps every state', async () => {
      await claim([{ key: 'c' }, { key: 'p' }, { key: 'r' }]);
      await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: ['c'] });
      await m.post('/api/v1/claims/release', { handoff: 'kickoff', keys: ['r'] });
      await m.restart();
      const res = await claim([{ key: 'c' }, { key: 'p' }, { key: 'r' }, { key: 'fresh' }]);
      expect(res.body.results.map((r: { decision: string; attempt: number }) => `${r.decision}/${r.attempt}`)).toEqual([
        'duplicate/1',
        'in_progress/1',
        'new/2',
        'new/1',
      ]);
    });

    it('rejects a handoff that is not in the contract, naming the known ones', async () => {
      const res = await m.post('/api/v1/claims', { handoff: 'kickof', items: [{ key: 'a' }] });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'unknown_handoff' });
      expect(res.body.error.message).toContain('known: kickoff');
    });

    it("lists the contract for the nodes' dropdowns", async () => {
      const res = await m.request('GET', '/api/v1/handoffs');
      expect(res.status).toBe(200);
      expect(res.body.handoffs[0]).toMatchObject({
        id: 'kickoff',
        name: 'Sales → delivery kickoff',
        owner: { name: 'Dana Ops', channel: '#delivery-ops' },
        completionSlaSeconds: 900,
        exceptionSlaSeconds: 172_800,
      });
    });
  });

  describe('bad input gets a 4xx JSON error naming the problem, never a 500', () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['no body', '/api/v1/claims', undefined, 415, /Content-Type: application\/json/],
      ['malformed JSON', '/api/v1/claims', '{"handoff": "kickoff", items: [', 400, /not valid JSON/],
      ['JSON array', '/api/v1/claims', '[1,2]', 400, /Invalid claim request/],
      ['JSON null', '/api/v1/claims', 'null', 400, /must be a JSON object/],
      ['JSON number', '/api/v1/claims', '42', 400, /must be a JSON object/],
      ['missing handoff', '/api/v1/claims', { items: [{ key: 'a' }] }, 400, /handoff is required/],
      ['empty items', '/api/v1/claims', { handoff: 'kickoff', items: [] }, 400, /items must hold at least one item/],
      ['items not a list', '/api/v1/claims', { handoff: 'kickoff', items: 'a' }, 400, /items must be a list/],
      ['empty key', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: '' }] }, 400, /items\[0\]\.key must not be empty/],
      ['numeric key', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 5 }] }, 400, /items\[0\]\.key must be a string/],
      ['key too long', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'k'.repeat(513) }] }, 400, /at most 512/],
      ['unknown field', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'a' }], lease: 5 }, 400, /Unrecognized key: "lease"/],
      [
        'lease too short',
        '/api/v1/claims',
        { handoff: 'kickoff', items: [{ key: 'a' }], leaseSeconds: 0 },
        400,
        /leaseSeconds must be at least 1/,
      ],
      ['lease fractional', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'a' }], leaseSeconds: 1.5 }, 400, /whole number/],
      ['complete without keys', '/api/v1/claims/complete', { handoff: 'kickoff' }, 400, /keys/],
      ['release with a non-string key', '/api/v1/claims/release', { handoff: 'kickoff', keys: [null] }, 400, /keys\[0\]/],
      ['event of an unknown shape', '/api/v1/events', { handoff: 'kickoff', kind: 'Not A Kind' }, 400, /lower_snake_case/],
    ];
    it.each(cases)('%s', async (_name, path, body, status, message) => {
      const res = await m.request('POST', path, body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.body.error.message).toMatch(message);
    });

    it('an oversized body is refused with 413', async () => {
      const res = await m.request(
        'POST',
        '/api/v1/claims',
        JSON.stringify({ handoff: 'kickoff', items: [], pad: 'x'.repeat(33 * 1024 * 1024) }),
      );
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('body_too_large');
    });

    it('nothing is half-written when one item of a batch is invalid', async () => {
      const res = await claim([{ key: 'good' }, { key: '' }]);
      expect(res.status).toBe(400);
      expect((await claim([{ key: 'good' }])).body.results[0]).toMatchObject({ decision: 'new', attempt: 1 });
    });

    it('an unknown route is a JSON 404', async () => {
      const res = await m.request('GET', '/api/v1/nope');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', '/api/v1/handoffs'],
      ['POST', '/api/v1/claims'],
      ['POST', '/api/v1/claims/complete'],
      ['POST', '/api/v1/claims/release'],
      ['POST', '/api/v1/events'],
    ])('%s %s needs the token', async (method, path) => {
      const none = await fetch(`${m.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await none.json()) as ApiErrorBody).error.code).toBe('unauthorized');
      const wrong = await m.request(method, path, method === 'POST' ? {} : undefined, { authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(401);
    });

    it('health endpoints are open and reveal only status', async () => {
      const health = await fetch(`${m.url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${m.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', contract: 'ok' } });
    });
  });

  describe('without a contract file', () => {
    it('accepts any handoff id (first-run experience) and says so in /readyz', async () => {
      const bare = await startTestMonitor({ contract: null, store: kind });
      try {
        const res = await bare.post('/api/v1/claims', { handoff: 'anything', items: [{ key: 'k' }] });
        expect(res.body.results[0].decision).toBe('new');
        const ready = (await (await fetch(`${bare.url}/readyz`)).json()) as ReadyBody;
        expect(ready.checks.contract).toBe('none loaded');
      } finally {
        await bare.close();
      }
    });
  });
});
