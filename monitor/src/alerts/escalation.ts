/**
 * The SLA clock's tick: escalates unresolved incidents past their SLA (once; the store's decision
 * function refuses a second time) and wakes the outbox worker to deliver the escalation alerts.
 */
import type { Logger } from 'pino';
import type { Incident } from '../../../protocol/incidents';
import type { ContractStore } from '../contract/store';
import { escalationTarget } from '../incidents/owner';
import type { IncidentStore } from '../domain/store';

export interface Escalator {
  /** One sweep now; resolves with the incidents escalated by it. */
  sweep(): Promise<Incident[]>;
  start(intervalMs: number): void;
  stop(): void;
}

export function createEscalator(deps: {
  incidents: IncidentStore;
  contracts: ContractStore;
  now: () => number;
  logger: Logger;
  onEscalated: () => void;
}): Escalator {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<Incident[]> | undefined;

  const sweep = (): Promise<Incident[]> => {
    running ??= (async () => {
      // The target is read from the contract in force at escalation time, so a fixed on-call takes effect.
      const escalated = await deps.incidents.escalateDue(deps.now(), (incident) =>
        escalationTarget(deps.contracts.handoff(incident.handoff), incident.owner),
      );
      for (const i of escalated) {
        deps.logger.warn({ incident: i.id, handoff: i.handoff, to: i.escalatedTo?.name }, 'incident unresolved past its SLA: escalated');
      }
      if (escalated.length) deps.onEscalated();
      return escalated;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    sweep,
    start(intervalMs) {
      const tick = () => sweep().catch((err) => deps.logger.error({ err }, 'escalation sweep failed'));
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
