/**
 * The events the monitor writes for the outcome fold, beside the change that caused them and in the
 * same transaction, so an incident and its signal are never apart. Pure builders, shared by the
 * SQLite and Postgres stores so both write the same facts.
 */
import type { HandoffEvent } from '../domain/store';
import { OUTCOME_EVENTS } from './decide';

/**
 * An incident report tied to a key: a failure of that pair. A new incident is also its detection;
 * a repeat folded into the open one (a replay that failed again, the nightly reconcile finding the
 * deal still missing) is one more failure. The kind is the report's (what failed this time), the run
 * the incident's (a report that joined under another dedup key leaves it: incidents/decide.ts).
 */
export function incidentReportEvent(
  incident: { id: number; handoff: string; kind: string | null; idempotencyKey: string | null; execution: { id?: string } | null },
  report: { kind?: string; failedAt?: number },
  deduplicated: boolean,
  now: number,
): HandoffEvent | undefined {
  if (!incident.idempotencyKey) return undefined;
  const kind = report.kind ?? incident.kind;
  return {
    handoff: incident.handoff,
    key: incident.idempotencyKey,
    kind: deduplicated ? OUTCOME_EVENTS.incidentRepeated : OUTCOME_EVENTS.incidentOpened,
    at: now,
    executionId: incident.execution?.id,
    details: {
      incidentId: incident.id,
      ...(kind ? { kind } : {}),
      ...(report.failedAt !== undefined ? { failedAt: new Date(Math.min(report.failedAt, now)).toISOString() } : {}),
    },
  };
}

/** An incident tied to a key resolved by hand; `openIncidents` still open for the same key. */
export function incidentResolvedEvent(
  incident: { id: number; handoff: string; idempotencyKey: string | null },
  openIncidents: number,
  now: number,
): HandoffEvent | undefined {
  if (!incident.idempotencyKey) return undefined;
  return {
    handoff: incident.handoff,
    key: incident.idempotencyKey,
    kind: OUTCOME_EVENTS.incidentResolved,
    at: now,
    details: { incidentId: incident.id, openIncidents },
  };
}

/** A failed n8n run: the pairs that ran in it failed with it (the fold finds them by execution id). */
export function executionFailedEvent(
  run: { id: string; handoff: string; status: string; stoppedAt: number | null; startedAt: number | null },
  now: number,
): HandoffEvent {
  return {
    handoff: run.handoff,
    kind: OUTCOME_EVENTS.executionFailed,
    at: now,
    executionId: run.id,
    details: { status: run.status, failedAt: new Date(Math.min(run.stoppedAt ?? run.startedAt ?? now, now)).toISOString() },
  };
}
