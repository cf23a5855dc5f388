/**
 * Outgoing webhooks from the mock CRM, with the two ways real deliveries go wrong: a delivery
 * that never happens (dropped) and one that arrives several times at once (a retrying sender).
 */

export interface WebhookFaults {
  /** Silently skip the next `n` deliveries. */
  dropNext?: number;
  /** Deliver the next webhook this many times, all at once. */
  repeatNext?: number;
}

export interface Delivery {
  url: string;
  at: number;
  dropped: boolean;
  /** HTTP status per copy sent (or the network error). */
  results: ({ status: number } | { error: string })[];
}

/** How long one delivery may take before the sender gives up, like most SaaS senders. */
const DELIVERY_TIMEOUT_MS = 10_000;

export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private dropNext = 0;
  private repeatNext = 0;

  setFaults(f: WebhookFaults): void {
    if (f.dropNext !== undefined) this.dropNext = f.dropNext;
    if (f.repeatNext !== undefined) this.repeatNext = f.repeatNext;
  }

  clear(): void {
    this.deliveries.length = 0;
    this.dropNext = 0;
    this.repeatNext = 0;
  }

  /** Sends `payload` to `url` (or not, or many times), as the faults say. */
  async deliver(url: string, payload: unknown, copies?: number): Promise<Delivery> {
    const delivery: Delivery = { url, at: Date.now(), dropped: false, results: [] };
    this.deliveries.push(delivery);
    if (this.dropNext > 0) {
      this.dropNext--;
      delivery.dropped = true;
      return delivery;
    }
    let n = copies ?? 1;
    if (this.repeatNext > 0) {
      n = this.repeatNext;
      this.repeatNext = 0;
    }
    const body = JSON.stringify(payload);
    delivery.results = await Promise.all(
      Array.from({ length: n }, () =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        }).then(
          async (res) => {
            await res.arrayBuffer();
            return { status: res.status };
          },
          (err: Error) => ({ error: err.message }),
        ),
      ),
    );
    return delivery;
  }
}
