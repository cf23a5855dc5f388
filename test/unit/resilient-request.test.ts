// ResilientRequest.execute() against a real HTTP server on 127.0.0.1 (n8n's own transport, a
// hand-made execute context). Engine-level runs are in test/engine/resilient-request.test.ts.
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { ResilientRequest } from '../../nodes/ResilientRequest/ResilientRequest.node';
import type { AttemptRecord } from '../../nodes/ResilientRequest/retry-loop';
import { closedPortUrl, startScriptedServer, type ScriptedServer, type Step } from './resilient-request-server';
import { FAST_RETRY, mockContext, type Params } from './resilient-request-context';

const node = new ResilientRequest();
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(
  steps: Step[],
  params: Params,
  items: IDataObject[] = [{ dealId: 'D-1' }],
  extra: Partial<Parameters<typeof mockContext>[0]> = {},
) {
  server = await startScriptedServer(steps);
  const { ctx, hints } = mockContext({
    params: { method: 'GET', url: `${server.url}/projects`, retry: FAST_RETRY, ...params },
    items,
    ...extra,
  });
  const [success, failed] = await node.execute.call(ctx);
  return { success, failed, hints, received: server.received, arrivals: server.arrivals() };
}

const attemptsOf = (item: { json: IDataObject }) => item.json.attempts as IDataObject[];

describe('Resilient Request against a local server', () => {
  it('retries a target that fails twice, then passes its answer on Success with the attempt log', async () => {
    const { success, failed, received, arrivals } = await run(
      [{ status: 503 }, { status: 502 }, { status: 201, body: { projectId: 'P-9' } }],
      { method: 'POST', keySource: 'field', keyField: '_handoff.key' },
      [{ dealId: 'D-1', _handoff: { key: 'deal-D-1' } }],
    );
    expect(failed).toEqual([]);
    expect(success).toHaveLength(1);
    expect(success[0].pairedItem).toEqual({ item: 0 });
    expect(success[0].json).toMatchObject({ dealId: 'D-1', response: { statusCode: 201, body: { projectId: 'P-9' } } });
    expect(attemptsOf(success[0]).map((a) => [a.status, a.waitBeforeMs, a.outcome])).toEqual([
      [503, 0, 'retry'],
      [502, 20, 'retry'],
      [201, 40, 'success'],
    ]);
    // Every attempt carried the same key: the target can tell the repeats apart.
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual(['deal-D-1', 'deal-D-1', 'deal-D-1']);
    // The server saw the waits: ≥ 20 ms, then ≥ 40 ms more.
    expect(arrivals[1]).toBeGreaterThanOrEqual(20);
    expect(arrivals[2] - arrivals[1]).toBeGreaterThanOrEqual(40);
    console.log(
      `Observed retry schedule (fail twice then OK, base 20 ms, no jitter):\n${received
        .map((r, i) => `  attempt ${i + 1} at +${arrivals[i]} ms → ${attemptsOf(success[0])[i].status}`)
        .join('\n')}`,
    );
  });

  it('honours Retry-After in seconds', async () => {
    const { success, arrivals } = await run([{ status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }], {});
    expect(success).toHaveLength(1);
    expect(attemptsOf(success[0])[0]).toMatchObject({ status: 429, retryAfterMs: 1_000, outcome: 'retry' });
    expect(attemptsOf(success[0])[1]).toMatchObject({ waitBeforeMs: 1_000 });
    expect(arrivals[1]).toBeGreaterThanOrEqual(1_000);
  });

  it('honours Retry-After as an HTTP date', async () => {
    // HTTP dates have whole seconds, so the wait is between 1 and 2 s from now.
    const at = new Date(Date.now() + 2_000).toUTCString();
    const { success, arrivals, received } = await run([{ status: 503, headers: { 'Retry-After': at } }, { status: 200 }], {});
    expect(success).toHaveLength(1);
    const first = attemptsOf(success[0])[0];
    expect(first.retryAfterMs).toBeGreaterThan(900);
    expect(first.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(received[1].at).toBeGreaterThanOrEqual(Date.parse(at));
    expect(arrivals[1]).toBeGreaterThanOrEqual(900);
  });

  it('gives up on a hanging target after the per-attempt timeout, retrying while attempts last', async () => {
    const { success, failed, received } = await run([{ hang: true }], { retry: { ...FAST_RETRY, attemptTimeoutMs: 100 } });
    expect(success).toEqual([]);
    expect(received).toHaveLength(3);
    expect(attemptsOf(failed[0]).map((a) => [a.status, a.errorCode])).toEqual([
      [null, 'ETIMEDOUT'],
      [null, 'ETIMEDOUT'],
      [null, 'ETIMEDOUT'],
    ]);
    // Each attempt ended at this node's 100 ms timeout, not at the 2 s the context would otherwise
    // give it: a bound only an ignored setting crosses, not a slow machine.
    for (const a of attemptsOf(failed[0])) {
      expect(a.durationMs).toBeGreaterThanOrEqual(90);
      expect(a.durationMs).toBeLessThan(FAST_RETRY.attemptTimeoutMs);
    }
    expect(failed[0].json.error).toMatch(/failed after 3 attempts: no answer in time/);
  });

  it('recovers when only the first attempt hangs', async () => {
    const { success } = await run([{ hang: true }, { status: 200, body: { ok: true } }], {
      retry: { ...FAST_RETRY, attemptTimeoutMs: 100 },
    });
    expect(attemptsOf(success[0]).map((a) => a.errorCode ?? a.status)).toEqual(['ETIMEDOUT', 200]);
  });

  it('retries refused connections for an idempotent method', async () => {
    const url = await closedPortUrl();
    server = await startScriptedServer([{ status: 200 }]);
    const { ctx } = mockContext({ params: { method: 'PUT', url, keySource: 'none', retry: FAST_RETRY }, items: [{ id: 1 }] });
    const [success, failed] = await node.execute.call(ctx);
    expect(success).toEqual([]);
    expect(attemptsOf(failed[0]).map((a) => a.errorCode)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    expect(failed[0].json.errorDescription).toMatch(/all 3 attempts/);
  });

  it('never retries a POST without an Idempotency-Key, and says how to fix it', async () => {
    const { failed, received, hints } = await run([{ status: 503 }, { status: 200 }], {
      method: 'POST',
      keySource: 'field',
      keyField: '_handoff.key',
    });
    expect(received).toHaveLength(1);
    expect(received[0].headers['idempotency-key']).toBeUndefined();
    expect(failed[0].json).toMatchObject({ kind: 'request_failed', idempotencyKey: null });
    expect(failed[0].json.errorDescription).toMatch(/Idempotency Gate/);
    expect(hints.map((h) => h.message).join(' ')).toMatch(/had no Idempotency-Key/);
  });

  it('never retries a 400, even for a GET', async () => {
    const { failed, received } = await run([{ status: 400, body: { message: 'name is required' } }, { status: 200 }], {});
    expect(received).toHaveLength(1);
    expect(failed[0].json).toMatchObject({ kind: 'request_failed', response: { statusCode: 400, body: { message: 'name is required' } } });
    expect(failed[0].json.errorDescription).toMatch(/refused the request itself/);
    expect(failed[0].pairedItem).toEqual({ item: 0 });
  });

  it('stops early when the next wait would pass the total budget', async () => {
    const retry = { ...FAST_RETRY, maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 100, totalBudgetSeconds: 0.35 };
    const { failed, received } = await run([{ status: 503 }], { retry });
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(received.length).toBeLessThanOrEqual(4);
    // Every wait was planned to end within the budget, on the loop's own clock (when the previous
    // attempt ended + the wait): the decision, not how long the machine took to carry it out.
    const attempts = attemptsOf(failed[0]) as unknown as AttemptRecord[];
    for (let i = 1; i < attempts.length; i++) {
      expect(attempts[i - 1].atMs + attempts[i - 1].durationMs + attempts[i].waitBeforeMs).toBeLessThanOrEqual(350);
    }
    expect(attempts.at(-1)!.outcome).toBe('stop');
    expect(failed[0].json.errorDescription).toMatch(/total time budget/);
  });

  it('sends the key from an expression and keeps each item paired with its input', async () => {
    const { success, received } = await run(
      [{ status: 200 }],
      {
        method: 'PATCH',
        keySource: 'expression',
        keyExpression: (i: number) => `deal-${i}-kickoff`,
        bodySource: 'json',
        jsonBody: '{"stage":"kickoff"}',
      },
      [{ n: 0 }, { n: 1 }],
    );
    expect(received.map((r) => [r.method, r.headers['idempotency-key'], r.body])).toEqual([
      ['PATCH', 'deal-0-kickoff', '{"stage":"kickoff"}'],
      ['PATCH', 'deal-1-kickoff', '{"stage":"kickoff"}'],
    ]);
    expect(success.map((s) => s.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });

  it('stops at once when the execution is cancelled during a backoff wait', async () => {
    const controller = new AbortController();
    server = await startScriptedServer([{ status: 503 }]);
    const { ctx } = mockContext({
      params: { method: 'GET', url: server.url, retry: { ...FAST_RETRY, baseDelayMs: 5_000, maxDelayMs: 5_000 } },
      items: [{}],
      signal: controller.signal,
    });
    const started = Date.now();
    const running = node.execute.call(ctx);
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toThrow(/canceled/);
    // Sooner than the 5 s backoff it was waiting out: only a wait that ignored the cancel lasts that long.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.received).toHaveLength(1);
  });

  describe('bad parameters', () => {
    it('fail the node with the item and the fix', async () => {
      const error = await run([{ status: 200 }], { url: (i: number) => (i === 1 ? '' : 'http://127.0.0.1:1') }, [{}, {}]).catch((e) => e);
      expect(error).toBeInstanceOf(NodeOperationError);
      expect(error.message).toMatch(/URL is empty in item/);
    });

    it('under continue-on-fail, go to Failed (never Success) while the other items run', async () => {
      server = await startScriptedServer([{ status: 200 }]);
      const url = server.url;
      const { ctx } = mockContext({
        params: {
          method: 'POST',
          url: (i: number) => (i === 0 ? 'tasks.example.com' : url),
          bodySource: 'json',
          jsonBody: (i: number) => (i === 1 ? '{oops' : '{}'),
          keySource: 'none',
          retry: FAST_RETRY,
        },
        items: [{ a: 0 }, { a: 1 }, { a: 2 }],
        continueOnFail: true,
      });
      const [success, failed] = await node.execute.call(ctx);
      expect(success.map((s) => s.pairedItem)).toEqual([{ item: 2 }]);
      expect(failed.map((f) => [f.pairedItem, f.json.error])).toEqual([
        [{ item: 0 }, expect.stringMatching(/not an http\(s\) address/)],
        [{ item: 1 }, expect.stringMatching(/JSON Body of item 1 is not valid JSON/)],
      ]);
    });
  });
});
