/**
 * Runs the outcome fold soon after every write (debounced, one at a time) and on a timer, so an
 * incident resolves as recovered within moments of its pair's completion, and a fold missed by a
 * crash is caught up by the next one. The fold itself is one transaction in the store.
 */
import type { Logger } from 'pino';
import type { Incident } from '../../../protocol/incidents';
import type { OutcomeStore } from '../domain/store';

/** Writes arrive in bursts (a batch of checkpoints, then a claim, then a completion): fold once after. */
const DEBOUNCE_MS = 20;
/** A backlog is worked through in batches; this many per call before yielding to the event loop. */
const MAX_BATCHES_PER_RUN = 50;

export interface OutcomeFolder {
  /** A write happened: fold soon. */
  kick(): void;
  /** Folds everything written so far (tests, the replay waiter, shutdown). */
  flush(): Promise<number>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createOutcomeFolder(deps: {
  outcomes: OutcomeStore;
  now: () => number;
  logger: Logger;
  /** Recovered incidents queued alerts: wake the outbox. */
  onRecovered?: (incidents: Incident[]) => void;
}): OutcomeFolder {
  let running: Promise<number> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = async (): Promise<number> => {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      const report = await deps.outcomes.fold(deps.now());
      total += report.events;
      if (report.recovered.length > 0) {
        deps.logger.info(
          { incidents: report.recovered.map((r) => r.id) },
          'handoffs completed after failing: incidents resolved as recovered',
        );
        deps.onRecovered?.(report.recovered);
      }
      if (!report.more) break;
    }
    return total;
  };

  const fold = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((err) => {
        deps.logger.error({ err }, 'outcome fold failed; retrying on the next write or tick');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void fold();
        }
      });
    return running;
  };

  return {
    kick() {
      if (stopped || debounce) return;
      debounce = setTimeout(() => {
        debounce = undefined;
        void fold();
      }, DEBOUNCE_MS);
      debounce.unref();
    },
    async flush() {
      let total = 0;
      // Whatever is running may have started before the caller's write: run once more after it.
      if (running) total += await running;
      total += await fold();
      return total;
    },
    start(intervalMs) {
      timer = setInterval(() => void fold(), intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      await running;
    },
  };
}
