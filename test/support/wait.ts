/**
 * The one way tests wait for something that happens on its own time: a real child process, a real
 * Postgres, a timer inside a running monitor, Prometheus scraping. Where the code under test takes a
 * clock (`now`), tests move the clock instead of waiting (see startTestMonitor's `deps.now`).
 */

export interface WaitOptions {
  /** Give up after this long (default 5 s; a real process or Prometheus needs more). */
  timeoutMs?: number;
  /** Pause between two probes (default 10 ms; an HTTP probe against a busy peer wants more). */
  intervalMs?: number;
  /** Appended to the timeout message: a process log, the last answer seen. */
  detail?: () => string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Probes until it returns a truthy value and resolves with that value, or rejects naming `what`
 * (and the `detail`) once `timeoutMs` has passed. A probe that throws fails the wait at once: a
 * broken probe is a bug, not "not yet". A count of 0 reads as "not yet": return `n >= 1`, not `n`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | '' | 0 | Promise<T | undefined | null | false | '' | 0>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) {
      const detail = opts.detail?.();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail}` : ''}`);
    }
    await pause(opts.intervalMs ?? 10);
  }
}

/**
 * The other half of waiting: something must NOT happen for a while (no second alert, no takeover).
 * Checks `holds` every `intervalMs` for `forMs` and rejects naming `what` the first time it fails,
 * so a quiet period is an assertion that fails early rather than a sleep followed by one look.
 */
export async function holdsFor(what: string, holds: () => boolean | Promise<boolean>, forMs: number, intervalMs = 25): Promise<void> {
  const until = Date.now() + forMs;
  for (;;) {
    if (!(await holds())) throw new Error(`expected ${what} to hold for ${forMs} ms; it stopped holding`);
    if (Date.now() >= until) return;
    await pause(Math.min(intervalMs, Math.max(0, until - Date.now())));
  }
}
