/**
 * The outbox worker: sends pending alerts with p-retry and marks each sent only after a 2xx.
 * Alerts were written in the same transaction as the incident change, so a crash at any point
 * loses none: on restart the worker finds them still pending and sends them.
 */
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { redactString } from '../../../protocol/redact';
import type { AlertOutbox } from '../domain/store';
import { AlertRedirectedError, AlertRejectedError, AlertSender } from './sender';

export interface AlertRetryPolicy {
  /** Tries within one pass (p-retry's `retries` + 1). */
  attempts: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** After a pass fails, the alert waits this long (doubling per pass, capped) before the next. */
  requeueMs: number;
  maxRequeueMs: number;
}

/** 4 tries over ~7 s ride out a webhook blip; a longer outage is retried every pass, up to 10 min apart. */
export const DEFAULT_ALERT_RETRY: AlertRetryPolicy = {
  attempts: 4,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 4_000,
  requeueMs: 30_000,
  maxRequeueMs: 600_000,
};

/** Alerts per pass: one slow webhook must not let a burst hold the worker for minutes. */
const BATCH = 50;
/** Shutdown waits this long for an in-flight delivery to be recorded. */
const STOP_GRACE_MS = 2_000;

export interface OutboxWorker {
  /** Sends everything due now; resolves with how many were sent. Concurrent calls share one pass. */
  flush(): Promise<number>;
  /** Asks for a pass soon (after an incident enqueued an alert). */
  kick(): void;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createOutboxWorker(deps: {
  outbox: AlertOutbox;
  send: AlertSender;
  logger: Logger;
  now: () => number;
  retry?: Partial<AlertRetryPolicy>;
}): OutboxWorker {
  const policy = { ...DEFAULT_ALERT_RETRY, ...deps.retry };
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const deliver = async (): Promise<number> => {
    let sent = 0;
    for (const alert of await deps.outbox.due(deps.now(), BATCH)) {
      if (stopped) break;
      let tries = 0;
      try {
        await pRetry(
          async () => {
            if (stopped) throw new pRetry.AbortError('the monitor is stopping; the alert stays in the outbox');
            tries++;
            try {
              await deps.send(alert);
            } catch (err) {
              if (err instanceof AlertRejectedError || err instanceof AlertRedirectedError) throw new pRetry.AbortError(err);
              // p-retry 4 gives up on any TypeError, and Node's fetch reports a refused connection
              // as `TypeError: fetch failed`: re-throw as a plain Error so network errors are retried.
              const cause = (err as { cause?: { code?: string } })?.cause?.code;
              throw new Error(`${(err as Error)?.message ?? String(err)}${cause ? ` (${cause})` : ''}`);
            }
          },
          { retries: policy.attempts - 1, minTimeout: policy.minTimeoutMs, maxTimeout: policy.maxTimeoutMs, factor: 2, randomize: true },
        );
        await deps.outbox.markSent(alert.id, deps.now(), tries);
        sent++;
        deps.logger.info({ alert: alert.idempotencyKey, tries }, 'alert delivered');
      } catch (err) {
        const problem = redactString(String((err as Error)?.message ?? err)).slice(0, 500);
        if (err instanceof AlertRejectedError) {
          await deps.outbox.markDead(alert.id, deps.now(), tries, problem);
          deps.logger.error(
            { alert: alert.idempotencyKey, problem },
            'alert refused by the webhook; it will not be retried (fix the webhook, then resend)',
          );
        } else {
          const passes = Math.floor((alert.attempts + tries) / policy.attempts);
          const wait = Math.min(policy.maxRequeueMs, policy.requeueMs * 2 ** Math.max(0, passes - 1));
          await deps.outbox.markRetry(alert.id, deps.now() + wait, tries, problem);
          deps.logger.warn({ alert: alert.idempotencyKey, tries, retryInMs: wait, problem }, 'alert not delivered yet; kept in the outbox');
        }
      }
    }
    return sent;
  };

  const flush = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await deliver();
      } while (again && !stopped);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const safeFlush = () => {
    if (stopped) return;
    flush().catch((err) => deps.logger.error({ err }, 'alert outbox pass failed'));
  };

  return {
    flush,
    kick: () => setImmediate(safeFlush),
    start(intervalMs) {
      timer = setInterval(safeFlush, intervalMs);
      timer.unref();
      safeFlush();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      // A pass in the middle of a backoff wait is abandoned after this; its alert stays pending.
      if (running) await Promise.race([running.catch(() => undefined), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
    },
  };
}
