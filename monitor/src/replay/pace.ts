/**
 * Paces a bulk replay: at most `concurrency` replays at once, launched in the given order, and no
 * new launch after the first `failed_again`. Pure control flow: the caller injects `replayOne`
 * (which loads, delivers and waits for the outcome); this module has no timers and no I/O.
 *
 * Exported API (stable):
 *   runReplays(entries, { concurrency = 2, replayOne, stopOn? }) → Promise<PacedRun>
 *   types ReplayOutcome, PacedOutcome, ReplayAttempt, PacedResult, PacedRun, PaceOptions
 *   DEFAULT_REPLAY_CONCURRENCY
 *
 * Why stop after a failure: when a replay fails again, the target (the task board, the CMS, the
 * workflow itself) is most likely still broken; sending it the rest of the queue would only turn
 * each key into another failure and another alert. Replays already running are left to finish —
 * cutting them off mid-handoff would be worse. `refused` (completed meanwhile, input pruned) says
 * nothing about the target, so it does not stop the run; neither does `error` unless asked.
 */

export type ReplayOutcome = 'recovered' | 'failed_again' | 'refused' | 'error';
export type PacedOutcome = ReplayOutcome | 'skipped';

export const DEFAULT_REPLAY_CONCURRENCY = 2;

export interface ReplayAttempt {
  outcome: ReplayOutcome;
  message: string;
}

export interface PacedResult<E> {
  entry: E;
  key: string;
  outcome: PacedOutcome;
  message: string;
}

export interface PacedRun<E> {
  /** One per entry, in the entries' order. */
  results: Array<PacedResult<E>>;
  /** Set when a `stopOn` outcome stopped further launches (entries never launched are `skipped`). */
  stopped?: { key: string; reason: string };
}

export interface PaceOptions<E> {
  /** Replays running at once; whole number ≥ 1 (default 2). */
  concurrency?: number;
  /** Replays one entry. A rejection becomes an `error` result; it never aborts the run. */
  replayOne: (entry: E) => Promise<ReplayAttempt>;
  /** Outcomes after which nothing new is launched (default: failed_again). */
  stopOn?: readonly ReplayOutcome[];
}

const OUTCOMES: readonly string[] = ['recovered', 'failed_again', 'refused', 'error'];

/** Whatever replayOne resolved to, as a well-formed attempt. */
function normalise(value: unknown): ReplayAttempt {
  const v = value as Partial<ReplayAttempt> | undefined;
  if (v && typeof v.outcome === 'string' && OUTCOMES.includes(v.outcome)) {
    return { outcome: v.outcome, message: typeof v.message === 'string' ? v.message : '' };
  }
  return { outcome: 'error', message: 'the replay reported no outcome' };
}

export function runReplays<E extends { key: string }>(entries: readonly E[], opts: PaceOptions<E>): Promise<PacedRun<E>> {
  const concurrency = opts.concurrency ?? DEFAULT_REPLAY_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    return Promise.reject(new RangeError(`concurrency must be a whole number of at least 1 (got ${concurrency})`));
  }
  const stopOn = new Set<ReplayOutcome>(opts.stopOn ?? ['failed_again']);
  const results: Array<PacedResult<E> | undefined> = new Array(entries.length).fill(undefined);
  let stopped: PacedRun<E>['stopped'];
  let next = 0;
  let running = 0;

  return new Promise((resolve) => {
    const finish = () => {
      const all = results.map(
        (r, i): PacedResult<E> =>
          r ?? {
            entry: entries[i],
            key: entries[i].key,
            outcome: 'skipped',
            message: stopped ? `not started: the run stopped after ${stopped.key}` : 'not started',
          },
      );
      resolve(stopped ? { results: all, stopped } : { results: all });
    };

    const settle = (i: number, attempt: ReplayAttempt) => {
      const entry = entries[i];
      results[i] = { entry, key: entry.key, outcome: attempt.outcome, message: attempt.message };
      running--;
      if (!stopped && stopOn.has(attempt.outcome)) {
        const left = entries.length - next;
        stopped = {
          key: entry.key,
          // A failed_again message already says so ("failed again (request_failed)…"); other outcomes are named.
          reason: `${entry.key} ${
            attempt.outcome === 'failed_again'
              ? attempt.message.startsWith('failed again')
                ? attempt.message
                : `failed again${attempt.message ? `: ${attempt.message}` : ''}`
              : `ended with ${attempt.outcome}${attempt.message ? `: ${attempt.message}` : ''}`
          }; ${left} replay(s) not started so a still-broken target is not hammered`,
        };
      }
      pump();
    };

    const pump = () => {
      while (!stopped && running < concurrency && next < entries.length) {
        const i = next++;
        running++;
        // Called on a later tick so a replayOne that throws synchronously is an `error` result too.
        Promise.resolve()
          .then(() => opts.replayOne(entries[i]))
          .then(normalise, (err: unknown) => ({ outcome: 'error' as const, message: (err as Error)?.message ?? String(err) }))
          .then((attempt) => settle(i, attempt));
      }
      if (running === 0) finish();
    };

    pump();
  });
}
