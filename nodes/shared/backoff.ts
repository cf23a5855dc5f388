/**
 * When to retry a request a handoff depends on, and how long to wait first. Pure: the clock and
 * the random source come in as arguments, so every rule has a table test.
 *
 * Why not p-retry: p-retry ≥ 5 is ESM-only and the node package is CommonJS; p-retry 4 (the
 * monitor's) waits with raw timers (n8n's community lint forbids them in nodes; waits must go
 * through n8n's `sleep` with the execution's abort signal), cannot wait for a server-given
 * Retry-After, has no total time budget and only multiplies its delay by 1–2 instead of full
 * jitter. Bending it to all four would leave less of it than this module.
 */

export interface BackoffPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** Ceiling of the wait before the 2nd attempt; doubles for every attempt after it. */
  baseDelayMs: number;
  /** No computed wait grows past this (a server's Retry-After may, within the budget). */
  maxDelayMs: number;
  /** Wait a random time between 0 and the ceiling instead of the ceiling itself. */
  fullJitter: boolean;
  /** Wall-clock limit for all attempts and waits together; 0 means no limit. */
  totalBudgetMs: number;
}

export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = {
  // docs/architecture.md, the exception path: "automatic retry (default 3 attempts, exponential backoff, idempotency key)".
  maxAttempts: 3,
  // Long enough for a restarting service or a rate-limit window to move on, short enough that a
  // person watching a manual run is not left waiting.
  baseDelayMs: 1_000,
  // Past half a minute a handoff is better served by the exception path (an incident) than by waiting.
  maxDelayMs: 30_000,
  // Full jitter spreads a retry storm best ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
  fullJitter: true,
  // Two minutes bounds one item's worst case even when every attempt hangs until its timeout.
  totalBudgetMs: 120_000,
};

/** A number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** The wait's ceiling before retry number `retry` (1 = before the 2nd attempt): base·2^(retry−1), capped. */
export function backoffCeiling(policy: BackoffPolicy, retry: number): number {
  if (policy.baseDelayMs <= 0 || retry < 1) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

export function backoffDelay(policy: BackoffPolicy, retry: number, random: RandomSource = Math.random): number {
  const ceiling = backoffCeiling(policy, retry);
  return policy.fullJitter ? Math.floor(random() * ceiling) : ceiling;
}

/** The waits before attempts 2…maxAttempts when nothing else (Retry-After, budget) intervenes. */
export function backoffSchedule(policy: BackoffPolicy, random: RandomSource = Math.random): number[] {
  const waits: number[] = [];
  for (let retry = 1; retry < policy.maxAttempts; retry++) waits.push(backoffDelay(policy, retry, random));
  return waits;
}

/** An HTTP-date (RFC 9110 §5.6.7) starts with a day name: "Wed, 21 Oct 2015 07:28:00 GMT". */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/**
 * Milliseconds a Retry-After header asks for, or undefined when it is absent or unreadable (then
 * the computed backoff applies). A date in the past means "now".
 */
export function parseRetryAfter(header: unknown, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** What one attempt came to, in the terms the retry rules need. */
export type AttemptOutcome =
  | { kind: 'response'; status: number }
  | { kind: 'network'; code: string }
  | { kind: 'timeout'; code: string }
  | { kind: 'cancelled' }
  | { kind: 'error'; code?: string };

export type RetryRule =
  | 'success'
  | 'cancelled'
  | 'client_error'
  | 'unsafe_method'
  | 'rate_limited'
  | 'not_implemented'
  | 'server_error'
  | 'network'
  | 'timeout'
  | 'not_transient';

export interface RetryDecision {
  retry: boolean;
  rule: RetryRule;
  reason: string;
}

/** RFC 9110 §9.2.2: repeating these has the same effect as sending them once. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 400;
}

/** Is it safe and useful to send the same request again? Each rule carries its reason. */
export function retryDecision(outcome: AttemptOutcome, method: string, hasIdempotencyKey: boolean): RetryDecision {
  const no = (rule: RetryRule, reason: string): RetryDecision => ({ retry: false, rule, reason });
  const yes = (rule: RetryRule, reason: string): RetryDecision => ({ retry: true, rule, reason });

  if (outcome.kind === 'response' && isSuccessStatus(outcome.status)) return no('success', 'the server accepted the request');
  // A person or n8n stopped the execution; another attempt would defy them.
  if (outcome.kind === 'cancelled') return no('cancelled', 'the execution was cancelled');
  // 4xx (429 aside) means the request itself was refused; the same request gets the same answer.
  if (outcome.kind === 'response' && outcome.status >= 400 && outcome.status < 500 && outcome.status !== 429) {
    return no('client_error', `the server refused the request itself (HTTP ${outcome.status}); sending it again would get the same answer`);
  }
  // The server may have acted before the failure showed; without a key it cannot recognise the
  // repeat, so a retried POST/PATCH could create a second project.
  if (!isIdempotentMethod(method) && !hasIdempotencyKey) {
    return no(
      'unsafe_method',
      `${method.toUpperCase()} without an Idempotency-Key is never retried: the server may already have acted on it, and a repeat could create a duplicate`,
    );
  }
  // 429 means "not now": nothing was done, and the server says when to come back.
  if (outcome.kind === 'response' && outcome.status === 429) return yes('rate_limited', 'rate limited (HTTP 429)');
  // 501 and 505 say the server will never support this request; waiting cannot change that.
  if (outcome.kind === 'response' && (outcome.status === 501 || outcome.status === 505)) {
    return no('not_implemented', `the server does not support this request at all (HTTP ${outcome.status})`);
  }
  // Other 5xx are the server's own trouble (overload, restart, a failing upstream) and pass.
  if (outcome.kind === 'response' && outcome.status >= 500) return yes('server_error', `server error (HTTP ${outcome.status})`);
  if (outcome.kind === 'response') return no('not_transient', `unexpected HTTP ${outcome.status}`);
  // No answer arrived: connection refused or reset, DNS hiccup — typical of a target restarting.
  if (outcome.kind === 'network') return yes('network', `network error (${outcome.code})`);
  if (outcome.kind === 'timeout') return yes('timeout', 'no answer within the per-attempt timeout');
  // Anything else (invalid URL, TLS certificate, blocked address) is a setup problem, not a blip.
  return no('not_transient', `not a transient failure${outcome.code ? ` (${outcome.code})` : ''}`);
}

/** Error codes of failures where no answer came back and a later attempt may well get one. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/**
 * Reads a thrown error (axios, n8n's NodeApiError wrapping one in `cause`, Node's fetch) as an
 * outcome. Codes sit at different depths depending on who wrapped the error, so the cause chain is walked.
 */
export function classifyError(error: unknown): AttemptOutcome {
  type Thrown = { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined;
  let firstCode: string | undefined;
  let e = error as Thrown;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as Thrown) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    firstCode ??= code;
    if (code === 'ERR_CANCELED' || e.name === 'AbortError' || e.name === 'CanceledError') return { kind: 'cancelled' };
    // axios reports its own timeout as ECONNABORTED with "timeout of N ms exceeded".
    if (code === 'ECONNABORTED' && typeof e.message === 'string' && /timeout/i.test(e.message))
      return { kind: 'timeout', code: 'ETIMEDOUT' };
    if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', code };
    if (code === 'ECONNABORTED' || (code && NETWORK_CODES.has(code))) return { kind: 'network', code };
  }
  return { kind: 'error', code: firstCode };
}

export type RetryPlan =
  | { action: 'retry'; waitMs: number; reason: string }
  | { action: 'stop'; why: 'not_retryable' | 'attempts_used' | 'budget_used'; reason: string };

export interface RetryState {
  /** The attempt that just ended, counted from 1. */
  attempt: number;
  /** Time since the first attempt started. */
  elapsedMs: number;
  /** What the server's Retry-After asked for, if it sent one. */
  retryAfterMs?: number;
}

/** After a failed attempt: wait and retry, or stop — and why. */
export function planRetry(
  policy: BackoffPolicy,
  decision: RetryDecision,
  state: RetryState,
  random: RandomSource = Math.random,
): RetryPlan {
  if (!decision.retry) return { action: 'stop', why: 'not_retryable', reason: decision.reason };
  if (state.attempt >= policy.maxAttempts) {
    return { action: 'stop', why: 'attempts_used', reason: `${decision.reason}; all ${policy.maxAttempts} attempts used` };
  }
  const backoff = backoffDelay(policy, state.attempt, random);
  // The server knows when it will be ready; waiting less than it asks only earns another 429.
  const waitMs = state.retryAfterMs !== undefined ? Math.max(state.retryAfterMs, backoff) : backoff;
  // Waiting past the budget would only end in a stop, later; stop now and say so.
  if (policy.totalBudgetMs > 0 && state.elapsedMs + waitMs >= policy.totalBudgetMs) {
    return {
      action: 'stop',
      why: 'budget_used',
      reason: `${decision.reason}; waiting ${waitMs} ms more would pass the total budget of ${policy.totalBudgetMs} ms (${state.elapsedMs} ms used)`,
    };
  }
  const source = state.retryAfterMs !== undefined && state.retryAfterMs >= backoff ? 'as Retry-After asks' : 'backoff';
  return { action: 'retry', waitMs, reason: `${decision.reason}; retrying after ${waitMs} ms (${source})` };
}
