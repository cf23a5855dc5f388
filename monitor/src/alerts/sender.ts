/**
 * Delivers one message (an alert, or a digest of several) to the webhook. A 2xx is success; 408, 429 and 5xx and network errors are
 * worth retrying; any other 4xx means the webhook refuses this body or is gone, and retrying the
 * same body cannot help (AlertRejectedError stops p-retry and parks the alert as dead). A redirect
 * is never followed (AlertRedirectedError ends the pass; the alert waits for a fixed URL).
 */
import { redactString } from '../../../protocol/redact';
import { AlertFormat, formatDelivery } from './format';
import type { AlertDelivery } from '../domain/incident-message';

/** Slack answers in well under a second; 10 s means the receiver is stuck, so try again later. */
const SEND_TIMEOUT_MS = 10_000;

/** Posts one message: a single alert, or a digest of several (alerts/grouping.ts). */
export type AlertSender = (delivery: AlertDelivery) => Promise<void>;

export class AlertRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AlertRejectedError';
  }
}

/**
 * The webhook answered with a redirect. It is not followed (the alert would go to an address nobody
 * configured); the alert stays pending, so it goes out once HANDOFF_ALERT_WEBHOOK_URL is fixed.
 */
export class AlertRedirectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AlertRedirectedError';
  }
}

export function createWebhookSender(opts: { url: string; format: AlertFormat; timeoutMs?: number; dashboardUrl?: string }): AlertSender {
  return async (alert) => {
    const body = JSON.stringify(formatDelivery(opts.format, alert, { dashboardUrl: opts.dashboardUrl }));
    const response = await fetch(opts.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        // Delivery is at-least-once at the edge (a crash after the 2xx but before "sent" is stored
        // repeats the alert); this header lets a receiver drop the repeat.
        'Idempotency-Key': alert.idempotencyKey,
        'User-Agent': 'handoff-monitor',
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? SEND_TIMEOUT_MS),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      let target = location ?? 'nowhere (no Location header)';
      try {
        if (location) target = new URL(location, opts.url).href;
      } catch {
        // not a URL: shown as sent
      }
      throw new AlertRedirectedError(
        response.status,
        `webhook answered with a redirect (HTTP ${response.status}) to ${redactString(target.slice(0, 500))}; alerts are not re-posted to another address. ` +
          'Set HANDOFF_ALERT_WEBHOOK_URL to the address the webhook answers on itself',
      );
    }
    // Drain the body so the socket is reused; only a short, redacted excerpt is kept for the log.
    const answer = redactString((await response.text().catch(() => '')).slice(0, 200));
    if (response.ok) return;
    const message = `webhook answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      throw new AlertRejectedError(response.status, message);
    }
    throw new Error(message);
  };
}
