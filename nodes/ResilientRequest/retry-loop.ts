/**
 * Sends one request until it succeeds or the policy says stop, and logs every attempt. The
 * transport, the wait, the clock and the random source are injected: the node passes n8n's HTTP
 * helper and `sleep` with the execution's abort signal; tests pass a fake clock or a real server.
 */
import {
  classifyError,
  isSuccessStatus,
  parseRetryAfter,
  planRetry,
  retryDecision,
  type AttemptOutcome,
  type BackoffPolicy,
  type RandomSource,
  type RetryDecision,
  type RetryPlan,
} from '../shared/backoff';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** One line of the attempt log that travels with every output item. */
export interface AttemptRecord {
  attempt: number;
  /** When it started, counted from the start of the first attempt. */
  atMs: number;
  waitBeforeMs: number;
  durationMs: number;
  status: number | null;
  errorCode: string | null;
  /** The transport's message when no HTTP answer came (redacted by the caller before output). */
  error?: string;
  retryAfterMs?: number;
  outcome: 'success' | 'retry' | 'stop';
  reason: string;
}

export interface RetryLoopDeps {
  send(timeoutMs: number): Promise<HttpResponse>;
  /** Must reject when the execution is cancelled; the loop then stops at once. */
  sleep(ms: number): Promise<void>;
  now(): number;
  random: RandomSource;
}

export interface RetryLoopOptions {
  method: string;
  hasIdempotencyKey: boolean;
  policy: BackoffPolicy;
  attemptTimeoutMs: number;
}

export type RetryLoopResult =
  | { status: 'success'; response: HttpResponse; attempts: AttemptRecord[] }
  | {
      status: 'failed';
      attempts: AttemptRecord[];
      response?: HttpResponse;
      decision: RetryDecision;
      stop: Extract<RetryPlan, { action: 'stop' }>;
      elapsedMs: number;
    }
  /** The execution was canceled mid-request or mid-wait: not an item failure, nothing more is sent. */
  | { status: 'canceled'; attempts: AttemptRecord[] };

export async function sendWithRetries(options: RetryLoopOptions, deps: RetryLoopDeps): Promise<RetryLoopResult> {
  const { policy } = options;
  const attempts: AttemptRecord[] = [];
  const start = deps.now();
  let waitMs = 0;

  for (let attempt = 1; ; attempt++) {
    if (waitMs > 0) {
      try {
        await deps.sleep(waitMs);
      } catch {
        return { status: 'canceled', attempts };
      }
    }
    const startedAt = deps.now();
    // The budget is a hard limit: the last attempt gets only what is left of it.
    const left = policy.totalBudgetMs > 0 ? policy.totalBudgetMs - (startedAt - start) : Infinity;
    const timeoutMs = Math.max(1, Math.min(options.attemptTimeoutMs, left));

    let response: HttpResponse | undefined;
    let outcome: AttemptOutcome;
    let error: string | undefined;
    try {
      response = await deps.send(timeoutMs);
      outcome = { kind: 'response', status: response.statusCode };
    } catch (thrown) {
      outcome = classifyError(thrown);
      if (outcome.kind === 'cancelled') return { status: 'canceled', attempts };
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const endedAt = deps.now();
    const record: AttemptRecord = {
      attempt,
      atMs: startedAt - start,
      waitBeforeMs: waitMs,
      durationMs: endedAt - startedAt,
      status: response?.statusCode ?? null,
      errorCode: 'code' in outcome && outcome.code ? outcome.code : null,
      ...(error !== undefined && { error }),
      outcome: 'success',
      reason: '',
    };
    attempts.push(record);

    if (response && isSuccessStatus(response.statusCode)) {
      record.reason = `HTTP ${response.statusCode}`;
      return { status: 'success', response, attempts };
    }

    const decision = retryDecision(outcome, options.method, options.hasIdempotencyKey);
    const retryAfterMs = response ? parseRetryAfter(headerValue(response.headers, 'retry-after'), endedAt) : undefined;
    if (retryAfterMs !== undefined) record.retryAfterMs = retryAfterMs;
    const plan = planRetry(policy, decision, { attempt, elapsedMs: endedAt - start, retryAfterMs }, deps.random);
    record.reason = plan.reason;
    if (plan.action === 'stop') {
      record.outcome = 'stop';
      return { status: 'failed', attempts, response, decision, stop: plan, elapsedMs: endedAt - start };
    }
    record.outcome = 'retry';
    waitMs = plan.waitMs;
  }
}

/** Header names are case-insensitive; transports differ in how they spell them. */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): unknown {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : headers[key];
}
