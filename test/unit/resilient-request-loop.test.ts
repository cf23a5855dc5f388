// The retry loop on a fake clock: the schedule it keeps, when it stops, and what it logs — exact
// to the millisecond, because nothing here waits for real.
import type { BackoffPolicy } from '../../nodes/shared/backoff';
import { sendWithRetries, type HttpResponse } from '../../nodes/ResilientRequest/retry-loop';

type Script = Array<HttpResponse | { throw: Record<string, unknown> }>;

const policy = (over: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 250,
  fullJitter: false,
  totalBudgetMs: 0,
  ...over,
});
const res = (statusCode: number, headers: Record<string, unknown> = {}): HttpResponse => ({ statusCode, headers, body: {} });
const thrown = (code: string, message = code) => ({ throw: { code, message } });

/** Each attempt takes 10 ms of fake time; sleeps advance the clock by exactly their length. */
async function play(
  script: Script,
  opts: { method?: string; key?: boolean; policy?: BackoffPolicy; random?: () => number; timeoutMs?: number } = {},
) {
  let clock = 1_000_000;
  const timeouts: number[] = [];
  let call = 0;
  const result = await sendWithRetries(
    {
      method: opts.method ?? 'GET',
      hasIdempotencyKey: opts.key ?? false,
      policy: opts.policy ?? policy(),
      attemptTimeoutMs: opts.timeoutMs ?? 5_000,
    },
    {
      send: async (timeoutMs) => {
        timeouts.push(timeoutMs);
        const step = script[Math.min(call++, script.length - 1)];
        clock += 10;
        if ('throw' in step) throw Object.assign(new Error(String(step.throw.message)), step.throw);
        return step;
      },
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      random: opts.random ?? Math.random,
    },
  );
  const log = result.attempts.map((a) => [a.atMs, a.waitBeforeMs, a.status ?? a.errorCode, a.outcome]);
  return { result, log, timeouts };
}

describe('retry loop schedule', () => {
  it.each([
    // [what, script, options, expected log: [atMs, waitBeforeMs, status|code, outcome]]
    ['success first time', [res(200)], {}, [[0, 0, 200, 'success']]],
    [
      '5xx until the cap, then success',
      [res(500), res(502), res(503), res(200)],
      {},
      [
        [0, 0, 500, 'retry'],
        [110, 100, 502, 'retry'],
        [320, 200, 503, 'retry'],
        [580, 250, 200, 'success'],
      ],
    ],
    [
      'every attempt fails: stops after maxAttempts',
      [res(503)],
      {},
      [
        [0, 0, 503, 'retry'],
        [110, 100, 503, 'retry'],
        [320, 200, 503, 'retry'],
        [580, 250, 503, 'stop'],
      ],
    ],
    [
      'network errors and timeouts are retried',
      [thrown('ECONNRESET'), thrown('ECONNABORTED', 'timeout of 5000ms exceeded'), res(204)],
      {},
      [
        [0, 0, 'ECONNRESET', 'retry'],
        [110, 100, 'ETIMEDOUT', 'retry'],
        [320, 200, 204, 'success'],
      ],
    ],
    ['a 404 stops at once', [res(404)], {}, [[0, 0, 404, 'stop']]],
    ['a POST without key is sent once', [res(503)], { method: 'POST' }, [[0, 0, 503, 'stop']]],
    [
      'a POST with key is retried',
      [res(503), res(201)],
      { method: 'POST', key: true },
      [
        [0, 0, 503, 'retry'],
        [110, 100, 201, 'success'],
      ],
    ],
    [
      'Retry-After seconds beats the backoff',
      [res(429, { 'Retry-After': '2' }), res(200)],
      {},
      [
        [0, 0, 429, 'retry'],
        [2_010, 2_000, 200, 'success'],
      ],
    ],
    [
      'Retry-After header spelled in any case',
      [res(429, { 'RETRY-AFTER': '1' }), res(200)],
      {},
      [
        [0, 0, 429, 'retry'],
        [1_010, 1_000, 200, 'success'],
      ],
    ],
    [
      'full jitter with random 0.5 halves each wait',
      [res(503)],
      { random: () => 0.5, policy: policy({ fullJitter: true }) },
      [
        [0, 0, 503, 'retry'],
        [60, 50, 503, 'retry'],
        [170, 100, 503, 'retry'],
        [305, 125, 503, 'stop'],
      ],
    ],
    [
      'budget: stops before a wait that would pass it',
      [res(503)],
      { policy: policy({ maxAttempts: 10, totalBudgetMs: 400 }) },
      [
        [0, 0, 503, 'retry'],
        [110, 100, 503, 'retry'],
        [320, 200, 503, 'stop'],
      ],
    ],
    [
      'budget: a long Retry-After stops at once',
      [res(503, { 'retry-after': '60' })],
      { policy: policy({ totalBudgetMs: 30_000 }) },
      [[0, 0, 503, 'stop']],
    ],
    ['an unknown error is not retried', [thrown('ERR_INVALID_URL')], {}, [[0, 0, 'ERR_INVALID_URL', 'stop']]],
  ] as [string, Script, Parameters<typeof play>[1], unknown[]][])('%s', async (_what, script, opts, expected) => {
    const { log } = await play(script, opts);
    expect(log).toEqual(expected);
  });

  it('gives the last attempt only what is left of the budget as its timeout', async () => {
    const { timeouts } = await play([res(503)], { policy: policy({ maxAttempts: 3, totalBudgetMs: 1_000 }), timeoutMs: 700 });
    // 0 ms used → 700; 110 ms used → 700; 320 ms used → 680 left.
    expect(timeouts).toEqual([700, 700, 680]);
  });

  it('reports why it stopped and how long it took', async () => {
    const { result } = await play([res(503)], { policy: policy({ maxAttempts: 2 }) });
    expect(result).toMatchObject({ status: 'failed', stop: { why: 'attempts_used' }, decision: { rule: 'server_error' }, elapsedMs: 120 });
    expect(result.attempts[1].reason).toMatch(/all 2 attempts used/);
  });

  it('keeps the transport message of a failed attempt', async () => {
    const { result } = await play([thrown('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9')], { policy: policy({ maxAttempts: 1 }) });
    expect(result.attempts[0]).toMatchObject({ errorCode: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:9', status: null });
  });

  it('reports canceled, sending nothing more, when the wait is cancelled', async () => {
    let sent = 0;
    const run = sendWithRetries(
      { method: 'GET', hasIdempotencyKey: false, policy: policy(), attemptTimeoutMs: 100 },
      {
        send: async () => {
          sent++;
          return res(503);
        },
        sleep: async () => Promise.reject(new Error('aborted')),
        now: () => 0,
        random: () => 0,
      },
    );
    await expect(run).resolves.toMatchObject({ status: 'canceled', attempts: [{ status: 503, outcome: 'retry' }] });
    expect(sent).toBe(1);
  });

  it('reports canceled when the request itself is cancelled', async () => {
    const canceled = Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
    const run = sendWithRetries(
      { method: 'GET', hasIdempotencyKey: false, policy: policy(), attemptTimeoutMs: 100 },
      { send: async () => Promise.reject(canceled), sleep: async () => {}, now: () => 0, random: () => 0 },
    );
    await expect(run).resolves.toEqual({ status: 'canceled', attempts: [] });
  });
});
