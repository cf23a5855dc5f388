/**
 * The outbox worker: sends pending alerts with p-retry and marks each sent only after a 2xx.
 * Alerts were written in the same transaction as the incident change, so a crash at any point
 * loses none: on restart the worker finds them still pending and sends them.
 * Which due alerts go together and which wait is decided by alerts/grouping.ts (a pure function);
 * this is the shell that reads the rows, posts and settles them.
 */
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { redactString } from '../../../protocol/redact';
import { type AlertDelivery, isDigest, type OutboxAlert } from '../domain/incident-message';
import type { AlertOutbox } from '../domain/store';
import { DEFAULT_ALERT_GROUP_WINDOW_MS, digestIdempotencyKey, LOOKBACK_WINDOWS, planAlertDeliveries } from './grouping';
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

/** Messages per pass: one slow webhook must not let a burst hold the worker for minutes. */
const BATCH = 50;
/** Rows read per pass when grouping: a storm's alerts of one group go as one digest, not 50 at a time. */
const ROWS = 1_000;
/** Sent rows read to find each group's last message; past this a group counts as quiet (one message too many, never one too few). */
const RECENT_ROWS = 2_000;
/** Shutdown waits this long for an in-flight delivery to be recorded. */
const STOP_GRACE_MS = 2_000;

export interface OutboxWorker {
  /** Sends everything due now; resolves with how many alerts were sent (a digest counts each). Concurrent calls share one pass. */
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
  /** HANDOFF_ALERT_GROUP_WINDOW (alerts/grouping.ts); 0 sends every alert on its own. */
  groupWindowMs?: number;
}): OutboxWorker {
  const policy = { ...DEFAULT_ALERT_RETRY, ...deps.retry };
  const windowMs = deps.groupWindowMs ?? DEFAULT_ALERT_GROUP_WINDOW_MS;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  /** Posts one message (p-retry within the pass) and settles every row it carried together. */
  const deliverMessage = async (alerts: OutboxAlert[]): Promise<boolean> => {
    const delivery: AlertDelivery =
      alerts.length === 1 ? alerts[0] : { kind: alerts[0].kind, idempotencyKey: digestIdempotencyKey(alerts), alerts };
    const ids = alerts.map((a) => a.id);
    const what = isDigest(delivery)
      ? { digest: delivery.idempotencyKey, alerts: alerts.map((a) => a.idempotencyKey).slice(0, 20), count: alerts.length }
      : { alert: delivery.idempotencyKey };
    let tries = 0;
    try {
      await pRetry(
        async () => {
          if (stopped) throw new pRetry.AbortError('the monitor is stopping; the alert stays in the outbox');
          tries++;
          try {
            await deps.send(delivery);
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
      await deps.outbox.markSent(ids, deps.now(), tries);
      deps.logger.info({ ...what, tries }, isDigest(delivery) ? 'alert digest delivered' : 'alert delivered');
      return true;
    } catch (err) {
      const problem = redactString(String((err as Error)?.message ?? err)).slice(0, 500);
      if (err instanceof AlertRejectedError) {
        await deps.outbox.markDead(ids, deps.now(), tries, problem);
        deps.logger.error({ ...what, problem }, 'alert refused by the webhook; it will not be retried (fix the webhook, then resend)');
      } else {
        // A digest's rows wait together, as long as the most-tried of them would alone.
        const attempts = Math.max(...alerts.map((a) => a.attempts));
        const passes = Math.floor((attempts + tries) / policy.attempts);
        const wait = Math.min(policy.maxRequeueMs, policy.requeueMs * 2 ** Math.max(0, passes - 1));
        await deps.outbox.markRetry(ids, deps.now() + wait, tries, problem);
        deps.logger.warn({ ...what, tries, retryInMs: wait, problem }, 'alert not delivered yet; kept in the outbox');
      }
      return false;
    }
  };

  /** One pass: what is due, grouped (alerts/grouping.ts); `more` when messages were left for the next pass. */
  const deliver = async (): Promise<{ sent: number; more: boolean }> => {
    const now = deps.now();
    const due = await deps.outbox.due(now, windowMs > 0 ? ROWS : BATCH);
    if (!due.length) return { sent: 0, more: false };
    const recentlySent = windowMs > 0 ? await deps.outbox.sentSince(now - LOOKBACK_WINDOWS * windowMs, RECENT_ROWS) : [];
    const plan = planAlertDeliveries({ due, recentlySent, now, windowMs, maxMessages: BATCH });
    // Held rows first: on Postgres this also ends `due`'s claim on them. They stay pending, so a crash loses none.
    for (const { until, alerts } of plan.hold)
      await deps.outbox.hold(
        alerts.map((a) => a.id),
        until,
      );
    const held = plan.hold.reduce((n, h) => n + h.alerts.length, 0);
    if (held) deps.logger.debug({ held, until: plan.hold.map((h) => h.until) }, 'alerts held for their group digest');
    let sent = 0;
    for (const alerts of plan.send) {
      if (stopped) break;
      if (await deliverMessage(alerts)) sent += alerts.length;
    }
    return { sent, more: plan.hold.some((h) => h.until <= now) };
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
        const pass = await deliver();
        total += pass.sent;
        if (pass.more) again = true;
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
