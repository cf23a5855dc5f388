/**
 * Incident decisions: dedup of a report, ack/resolve, and the one-time escalation. Pure, so every
 * rule has a table test; the stores only persist what these return (like ledger/decide.ts).
 */
import { INCIDENT_LIMITS, INCIDENT_SEVERITIES, type IncidentPerson, type IncidentSeverity } from '../../../protocol/incidents';
import type { AlertKind, IncidentAction, IncidentReport } from '../domain/incidents';
import type { AlsoReported, IncidentRecord } from './record';

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

/** Oldest first: the incident a deal's first failure opened is the one its later reports join. */
const byAge = (a: IncidentRecord, b: IncidentRecord) => a.firstSeenAt - b.firstSeenAt || (a.id ?? 0) - (b.id ?? 0);

/**
 * Which open incident a report joins, if any — one deal (handoff + idempotency key), one open
 * incident, whoever reports it (the kickoff's Router, a stall detector, the nightly reconcile).
 * `open` holds the unresolved incidents the store found for the report's dedup key and for its
 * idempotency key; anything else in it is ignored.
 *  1. The one with the report's handoff and dedup key: a repeat, as the reporter grouped it.
 *  2. Else, when the report names an idempotency key, the oldest one of its handoff with that key,
 *     whatever its dedup key.
 *  3. Else none, and the report opens a new incident. A report without a key (a failed n8n run, an
 *     Error Trigger's failure) only ever joins its own dedup key: it names no deal to join by.
 */
export function incidentToJoin<T extends IncidentRecord>(
  open: readonly T[],
  report: Pick<IncidentReport, 'handoff' | 'dedupKey' | 'idempotencyKey'>,
): T | undefined {
  const unresolved = open.filter((i) => i.state !== 'resolved' && i.handoff === report.handoff);
  const repeat = unresolved.find((i) => i.dedupKey === report.dedupKey);
  if (repeat) return repeat;
  if (!report.idempotencyKey) return undefined;
  return unresolved.filter((i) => i.idempotencyKey === report.idempotencyKey).sort(byAge)[0];
}

/**
 * A report under another dedup key joined the incident: listed once per dedup key with its count,
 * its latest kind and run, so the page can say that the nightly reconcile (say) saw it too.
 */
function noteAlsoReported(list: readonly AlsoReported[], report: IncidentReport, now: number): AlsoReported[] {
  const seen = list.find((a) => a.dedupKey === report.dedupKey);
  const latest = {
    ...(report.kind ? { kind: report.kind } : {}),
    ...(report.execution?.workflowName ? { workflowName: report.execution.workflowName } : {}),
    ...(report.execution ? { execution: report.execution } : {}),
  };
  const entry: AlsoReported = seen
    ? { ...seen, ...latest, count: seen.count + 1, lastSeenAt: Math.max(seen.lastSeenAt, now) }
    : { dedupKey: report.dedupKey, ...latest, firstSeenAt: now, lastSeenAt: now, count: 1 };
  const rest = list.filter((a) => a !== seen);
  // Bounded: past the limit the report seen least recently gives way (its failures stay in `count`).
  while (rest.length >= INCIDENT_LIMITS.maxAlsoReported) {
    rest.splice(rest.indexOf(rest.reduce((a, b) => (b.lastSeenAt < a.lastSeenAt ? b : a))), 1);
  }
  return [...rest, entry];
}

/**
 * `open` is the incident the report joins (incidentToJoin), if any. A repeat or a join counts one more
 * failure without an alert; a join under another dedup key also lists the report in `alsoReported`.
 */
export function decideReport(open: IncidentRecord | undefined, report: IncidentReport, now: number): ReportOutcome {
  if (open && open.state !== 'resolved') {
    const joined = open.dedupKey !== report.dedupKey;
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
        // The run stays the incident's own reporter's (what its page links and a replay re-delivers):
        // the nightly reconcile's run, say, is a schedule, not the deal's kickoff. A join's run is listed with it.
        execution: joined ? open.execution : (report.execution ?? open.execution),
        idempotencyKey: report.idempotencyKey ?? open.idempotencyKey,
        alsoReported: joined ? noteAlsoReported(open.alsoReported, report, now) : open.alsoReported,
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
      alsoReported: [],
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
