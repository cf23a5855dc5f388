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
  /**
   * A probe that throws counts as "not yet" instead of failing the wait (a peer still starting, an
   * HTTP call to n8n refused); the last error ends the timeout message. Off by default: a broken
   * probe is a bug, and should fail at once.
   */
  tolerateErrors?: boolean;
}

/** Waits on real external processes (n8n, the mocks, a monitor on its own timers): they take seconds, and may refuse a call while busy. */
export const EXTERNAL: WaitOptions = { timeoutMs: 30_000, intervalMs: 250, tolerateErrors: true };

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Probes until it returns an answer — anything but undefined, null or false, so 0 and '' are
 * answers — and resolves with it, or rejects naming `what` (and the `detail`) once `timeoutMs` has
 * passed.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    let value: T | undefined | null | false;
    try {
      value = await probe();
    } catch (err) {
      if (!opts.tolerateErrors) throw err;
      lastError = err;
      value = undefined;
    }
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      const detail = [lastError ? `last error: ${(lastError as Error).message ?? String(lastError)}` : '', opts.detail?.() ?? '']
        .filter(Boolean)
        .join('\n');
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
