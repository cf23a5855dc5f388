/**
 * One leader at a time (docs/architecture.md "Scale"): the replica that leads runs the collector, the
 * stall detectors (which also move the rolling windows), escalation, the alert outbox and the outcome
 * fold's timer, and exports the store-wide series on /metrics. Every replica serves the API and the
 * dashboard. On Postgres the leader is whoever holds an advisory lock on a dedicated connection
 * (store/postgres/leader.ts); SQLite is one process, always the leader.
 */
import type { Logger } from 'pino';

export interface Leadership {
  /** `single`: SQLite, one process, always the leader. `postgres-lock`: a session advisory lock. */
  readonly mode: 'single' | 'postgres-lock';
  isLeader(): boolean;
  /** Tries once, so that a lone replica leads when start-up returns; then keeps trying (or checking) in the background. */
  start(): Promise<void>;
  /** Told on every change: true when this replica became the leader, false when it lost the lock. */
  onChange(listener: (leader: boolean) => void): void;
  /** Tells the leader, wherever it runs, that an alert was queued (a follower does not send alerts itself). */
  nudge(): void;
  /** On the leader: another replica queued an alert. */
  onNudge(listener: () => void): void;
  /** Stops trying; a leader lets go of the lock at once, so another replica takes over within its retry interval. */
  stop(): Promise<void>;
}

/** SQLite: one process owns the file, so it always leads. */
export function createSingleLeadership(): Leadership {
  const listeners: ((leader: boolean) => void)[] = [];
  let started = false;
  return {
    mode: 'single',
    isLeader: () => true,
    async start() {
      if (started) return;
      started = true;
      for (const l of listeners) l(true);
    },
    onChange: (listener) => void listeners.push(listener),
    nudge() {},
    onNudge() {},
    async stop() {},
  };
}

/** One leader-only job: started when this replica becomes the leader, stopped when it stops leading. */
export interface Duty {
  name: string;
  start(): void;
  stop(): Promise<void> | void;
}

/** A duty that runs `work` now and then every `intervalMs`, while leading. */
export function periodic(name: string, intervalMs: number, work: () => void): Duty {
  let timer: NodeJS.Timeout | undefined;
  return {
    name,
    start() {
      if (timer) return;
      timer = setInterval(work, intervalMs);
      timer.unref();
      work();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** Starts and stops the leader's duties as leadership comes and goes; changes are applied in order. */
export function createDuties(duties: Duty[], logger: Logger) {
  let running = false;
  let chain: Promise<void> = Promise.resolve();
  const apply = (lead: boolean) => {
    chain = chain.then(async () => {
      if (lead === running) return;
      running = lead;
      if (lead) {
        for (const d of duties) d.start();
        logger.info({ duties: duties.map((d) => d.name) }, 'this replica leads: collector, detectors, escalation and the outbox run here');
      } else {
        await Promise.all(duties.map(async (d) => d.stop()));
        logger.warn('this replica no longer leads: its collector, detectors, escalation and outbox stopped');
      }
    });
    return chain;
  };
  return {
    /** Applies a leadership change; resolves once the duties started or stopped. */
    set: apply,
    /** Shutdown: stops the duties without announcing a lost leadership. */
    stop() {
      chain = chain.then(async () => {
        if (!running) return;
        running = false;
        await Promise.all(duties.map(async (d) => d.stop()));
      });
      return chain;
    },
    running: () => running,
  };
}
