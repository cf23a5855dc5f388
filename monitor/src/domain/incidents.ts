/**
 * The incident vocabulary inside the monitor: a report once validated, redacted and given an owner
 * (what the store records), the hand actions on an incident, and the alerts an incident can send.
 * The wire shapes (what the nodes send and read) are in protocol/incidents.ts.
 */
import type { IncidentError, IncidentExecution, IncidentPerson, IncidentSeverity, OwnerSource } from '../../../protocol/incidents';

/** A report after the API has validated and redacted it and resolved owner and SLA. */
export interface IncidentReport {
  handoff: string;
  dedupKey: string;
  title: string;
  kind?: string;
  severity: IncidentSeverity;
  owner: IncidentPerson;
  ownerSource: OwnerSource;
  slaMs: number;
  error?: IncidentError;
  context?: Record<string, unknown>;
  execution?: IncidentExecution;
  idempotencyKey?: string;
  /** When the failure itself happened (epoch ms), if the reporter knows; time to detection starts there. */
  failedAt?: number;
}

export type IncidentAction = 'ack' | 'resolve';

/** `recovered`: the handoff the incident stood for completed, so the owner hears it is over. */
export type AlertKind = 'opened' | 'escalated' | 'recovered';
