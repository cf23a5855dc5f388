import {
  backoffCeiling,
  backoffDelay,
  backoffSchedule,
  classifyError,
  DEFAULT_BACKOFF_POLICY,
  parseRetryAfter,
  planRetry,
  retryDecision,
  type AttemptOutcome,
  type BackoffPolicy,
} from '../../nodes/shared/backoff';

const policy = (over: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  maxAttempts: 6,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  fullJitter: false,
  totalBudgetMs: 0,
  ...over,
});

describe('backoff schedule', () => {
  it.each([
    // [what, policy, expected waits before attempts 2…n]
    ['doubles from the base and stops at the cap', policy(), [100, 200, 400, 800, 1_000]],
    ['a cap below the base caps everything', policy({ maxDelayMs: 50 }), [50, 50, 50, 50, 50]],
    ['one attempt means no waits', policy({ maxAttempts: 1 }), []],
    ['base 0 never waits', policy({ baseDelayMs: 0 }), [0, 0, 0, 0, 0]],
    ['design default: 3 attempts, 1 s then 2 s ceilings', { ...DEFAULT_BACKOFF_POLICY, fullJitter: false }, [1_000, 2_000]],
  ])('%s', (_what, p, expected) => {
    expect(backoffSchedule(p)).toEqual(expected);
  });

  it('never overflows for very late retries', () => {
    expect(backoffCeiling(policy(), 5_000)).toBe(1_000);
  });

  it.each([
    // [random value, retry, expected wait]: full jitter = floor(random × ceiling)
    [0, 1, 0],
    [0.5, 1, 50],
    [0.999, 1, 99],
    [0.5, 3, 200],
    [0.25, 10, 250],
  ])('full jitter with random %p before retry %p waits %p ms', (r, retry, expected) => {
    expect(backoffDelay(policy({ fullJitter: true }), retry, () => r)).toBe(expected);
  });

  it('full jitter stays within [0, ceiling) for many random draws', () => {
    for (let i = 0; i < 1_000; i++) {
      const wait = backoffDelay(policy({ fullJitter: true }), 3);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(400);
    }
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-28T09:00:00Z');
  it.each([
    ['seconds', '3', 3_000],
    ['seconds with spaces', ' 10 ', 10_000],
    ['zero seconds', '0', 0],
    ['IMF-fixdate in the future', 'Sat, 28 Nov 2026 09:00:05 GMT', 5_000],
    ['IMF-fixdate in the past means now', 'Sat, 28 Nov 2026 08:59:00 GMT', 0],
    ['RFC 850 date', 'Saturday, 28-Nov-26 09:00:02 GMT', 2_000],
    ['first of a repeated header', ['4', '9'], 4_000],
    ['a number (some clients parse it)', 2, 2_000],
    ['negative seconds are unreadable', '-1', undefined],
    ['fractional seconds are unreadable', '1.5', undefined],
    ['prose is unreadable', 'in a while', undefined],
    ['digits are always seconds, even ones that look like a year', '2027', 2_027_000],
    ['an ISO date is not an HTTP date', '2026-11-28T09:00:05Z', undefined],
    ['absent', undefined, undefined],
  ])('%s', (_what, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('retry decision', () => {
  const response = (status: number): AttemptOutcome => ({ kind: 'response', status });
  it.each([
    // [outcome, method, has key, retry?, rule]
    [response(200), 'POST', false, false, 'success'],
    [response(304), 'GET', false, false, 'success'],
    [response(500), 'GET', false, true, 'server_error'],
    [response(502), 'PUT', false, true, 'server_error'],
    [response(503), 'DELETE', false, true, 'server_error'],
    [response(503), 'POST', true, true, 'server_error'],
    [response(503), 'POST', false, false, 'unsafe_method'],
    [response(503), 'PATCH', false, false, 'unsafe_method'],
    [response(429), 'GET', false, true, 'rate_limited'],
    [response(429), 'POST', true, true, 'rate_limited'],
    [response(429), 'POST', false, false, 'unsafe_method'],
    [response(400), 'GET', false, false, 'client_error'],
    [response(401), 'GET', false, false, 'client_error'],
    [response(404), 'PUT', false, false, 'client_error'],
    [response(409), 'POST', true, false, 'client_error'],
    [response(422), 'POST', true, false, 'client_error'],
    [response(501), 'GET', false, false, 'not_implemented'],
    [response(505), 'GET', false, false, 'not_implemented'],
    [{ kind: 'network', code: 'ECONNREFUSED' }, 'GET', false, true, 'network'],
    [{ kind: 'network', code: 'ECONNRESET' }, 'POST', true, true, 'network'],
    [{ kind: 'network', code: 'ECONNRESET' }, 'POST', false, false, 'unsafe_method'],
    [{ kind: 'timeout', code: 'ETIMEDOUT' }, 'GET', false, true, 'timeout'],
    [{ kind: 'timeout', code: 'ETIMEDOUT' }, 'PATCH', false, false, 'unsafe_method'],
    [{ kind: 'cancelled' }, 'GET', false, false, 'cancelled'],
    [{ kind: 'error', code: 'ERR_INVALID_URL' }, 'GET', false, false, 'not_transient'],
    [{ kind: 'error' }, 'GET', false, false, 'not_transient'],
  ] as [AttemptOutcome, string, boolean, boolean, string][])('%j %s key=%p → retry %p (%s)', (outcome, method, key, retry, rule) => {
    const decision = retryDecision(outcome, method, key);
    expect(decision).toMatchObject({ retry, rule });
    expect(decision.reason.length).toBeGreaterThan(10);
  });

  it('lower-case methods are read the same way', () => {
    expect(retryDecision(response(503), 'post', false).rule).toBe('unsafe_method');
    expect(retryDecision(response(503), 'get', false).retry).toBe(true);
  });
});

describe('classifying thrown errors', () => {
  const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? 'x')), props);
  it.each([
    ['axios connection refused', err({ code: 'ECONNREFUSED' }), { kind: 'network', code: 'ECONNREFUSED' }],
    ['axios timeout', err({ code: 'ECONNABORTED', message: 'timeout of 50ms exceeded' }), { kind: 'timeout', code: 'ETIMEDOUT' }],
    ['axios abort mid-body', err({ code: 'ECONNABORTED', message: 'aborted' }), { kind: 'network', code: 'ECONNABORTED' }],
    ['ETIMEDOUT', err({ code: 'ETIMEDOUT' }), { kind: 'timeout', code: 'ETIMEDOUT' }],
    ['axios cancel', err({ code: 'ERR_CANCELED', name: 'CanceledError' }), { kind: 'cancelled' }],
    ['DOM abort', err({ name: 'AbortError' }), { kind: 'cancelled' }],
    ['NodeApiError wrapping a reset', err({ cause: err({ code: 'ECONNRESET' }) }), { kind: 'network', code: 'ECONNRESET' }],
    ['unknown code', err({ code: 'ERR_INVALID_URL' }), { kind: 'error', code: 'ERR_INVALID_URL' }],
    ['a string thrown', 'boom', { kind: 'error', code: undefined }],
  ])('%s', (_what, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});

describe('planning the next attempt', () => {
  const retryable = retryDecision({ kind: 'response', status: 503 }, 'GET', false);
  const p = policy({ maxAttempts: 3, totalBudgetMs: 1_000 });
  it.each([
    // [what, state, expected plan]
    ['first failure waits the base', { attempt: 1, elapsedMs: 0 }, { action: 'retry', waitMs: 100 }],
    ['second failure doubles', { attempt: 2, elapsedMs: 200 }, { action: 'retry', waitMs: 200 }],
    ['last attempt used', { attempt: 3, elapsedMs: 400 }, { action: 'stop', why: 'attempts_used' }],
    ['Retry-After longer than the backoff wins', { attempt: 1, elapsedMs: 0, retryAfterMs: 700 }, { action: 'retry', waitMs: 700 }],
    ['Retry-After shorter than the backoff: backoff wins', { attempt: 2, elapsedMs: 0, retryAfterMs: 0 }, { action: 'retry', waitMs: 200 }],
    ['Retry-After past the budget stops now', { attempt: 1, elapsedMs: 0, retryAfterMs: 5_000 }, { action: 'stop', why: 'budget_used' }],
    ['budget nearly spent stops early', { attempt: 1, elapsedMs: 950 }, { action: 'stop', why: 'budget_used' }],
  ])('%s', (_what, state, expected) => {
    expect(planRetry(p, retryable, state, () => 0.5)).toMatchObject(expected);
  });

  it('a budget of 0 means no limit', () => {
    expect(planRetry(policy({ maxAttempts: 3 }), retryable, { attempt: 1, elapsedMs: 1e9 })).toMatchObject({ action: 'retry' });
  });

  it('a decision not to retry stops with its own reason', () => {
    const refused = retryDecision({ kind: 'response', status: 400 }, 'GET', false);
    expect(planRetry(p, refused, { attempt: 1, elapsedMs: 0 })).toEqual({ action: 'stop', why: 'not_retryable', reason: refused.reason });
  });
});
