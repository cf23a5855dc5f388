/**
 * Incident decisions: dedup of a report, ack/resolve, and the one-time escalation. Pure, so every
 * rule has a table test; the stores only persist what these return (like ledger/decide.ts).
 */
import { INCIDENT_SEVERITIES, type IncidentPerson, type IncidentSeverity } from '../../../protocol/incidents';
import type { AlertKind, IncidentAction, IncidentReport } from '../domain/incidents';
import type { IncidentRecord } from './record';

export interface AlertDraft {
  kind: AlertKind;
  to: IncidentPerson;
}

export interface ReportOutcome {
  record: IncidentRecord;
  deduplicated: boolean;
  /** A new incident alerts its owner; a repeat does not, so a retry storm is one message. */
  alert?: AlertDraft;
}

const rank = (s: IncidentSeverity) => INCIDENT_SEVERITIES.indexOf(s);

/** `open` is the unresolved incident with the same handoff and dedup key, if any. */
export function decideReport(open: IncidentRecord | undefined, report: IncidentReport, now: number): ReportOutcome {
  if (open && open.state !== 'resolved') {
    return {
      deduplicated: true,
      record: {
        ...open,
        count: open.count + 1,
        lastSeenAt: Math.max(open.lastSeenAt, now),
        // A repeat may be worse than the first failure, never better: keep the highest severity.
        severity: rank(report.severity) > rank(open.severity) ? report.severity : open.severity,
        // The latest failure's details are what the owner debugs; owner and SLA clock stay put.
        error: report.error ?? open.error,
        context: report.context ?? open.context,
        execution: report.execution ?? open.execution,
        idempotencyKey: report.idempotencyKey ?? open.idempotencyKey,
      },
    };
  }
  return {
    deduplicated: false,
    record: {
      handoff: report.handoff,
      dedupKey: report.dedupKey,
      kind: report.kind ?? null,
      title: report.title,
      severity: report.severity,
      state: 'open',
      owner: report.owner,
      ownerSource: report.ownerSource,
      slaDueAt: now + report.slaMs,
      firstSeenAt: now,
      lastSeenAt: now,
      count: 1,
      acknowledgedAt: null,
      resolvedAt: null,
      escalatedAt: null,
      escalatedTo: null,
      error: report.error ?? null,
      context: report.context ?? null,
      execution: report.execution ?? null,
      idempotencyKey: report.idempotencyKey ?? null,
      resolution: null,
      acknowledgedBy: null,
      resolvedBy: null,
    },
    alert: { kind: 'opened', to: report.owner },
  };
}

export type TransitionOutcome = { ok: true; record: IncidentRecord; changed: boolean } | { ok: false; problem: string };

/** `by`: who acts (a name given at sign-in, or the API's `by`); the first to acknowledge or resolve is kept. */
export function decideTransition(record: IncidentRecord, action: IncidentAction, now: number, by?: string): TransitionOutcome {
  if (action === 'ack') {
    if (record.state === 'resolved') {
      return { ok: false, problem: 'is already resolved; a new failure with the same dedup key opens a new incident' };
    }
    if (record.state === 'acknowledged') return { ok: true, record, changed: false };
    return { ok: true, record: { ...record, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: by ?? null }, changed: true };
  }
  if (record.state === 'resolved') return { ok: true, record, changed: false };
  return {
    ok: true,
    record: { ...record, state: 'resolved', resolvedAt: now, resolution: 'resolved by hand', resolvedBy: by ?? null },
    changed: true,
  };
}

/**
 * The handoff an incident stood for completed (a retry, a replay, any later run): the incident
 * resolves by itself and its owner is told once, where the incident alert went.
 */
export function decideRecovery(
  record: IncidentRecord,
  resolution: string,
  now: number,
): { record: IncidentRecord; alert: AlertDraft } | undefined {
  if (record.state === 'resolved') return undefined;
  return { record: { ...record, state: 'resolved', resolvedAt: now, resolution }, alert: { kind: 'recovered', to: record.owner } };
}

/**
 * Unresolved past the SLA → escalate once (docs/architecture.md). Acknowledging does not stop the clock: the
 * SLA is "open → resolved", and an acknowledged incident nobody fixes still needs the on-call.
 */
export function decideEscalation(
  record: IncidentRecord,
  target: IncidentPerson,
  now: number,
): { record: IncidentRecord; alert: AlertDraft } | undefined {
  if (record.state === 'resolved' || record.escalatedAt !== null || now < record.slaDueAt) return undefined;
  return { record: { ...record, escalatedAt: now, escalatedTo: target }, alert: { kind: 'escalated', to: target } };
}
