/**
 * Incidents on SQLite. Each report, transition and escalation sweep is one IMMEDIATE transaction
 * that also writes its alert to the outbox, so an incident change and its alert are never apart.
 * The decisions themselves are the pure functions of incidents/decide.ts.
 */
import type { Incident } from '../../../../protocol/incidents';
import { alertIdempotencyKey, type AlertMessage } from '../../domain/incident-message';
import { AlertDraft, decideEscalation, decideRecovery, decideReport, decideTransition } from '../../incidents/decide';
import { IncidentAction, IncidentReport } from '../../domain/incidents';
import { incidentReportEvent, incidentResolvedEvent } from '../../outcomes/signals';
import type { HandoffEvent } from '../../domain/store';
import { IncidentRecord, toWire } from '../../incidents/record';
import type { IncidentFilter, IncidentStore, IncidentTransition } from '../../domain/store';
import type { SqliteDb } from './open';
import { createSqliteOutbox, prepareEnqueue } from './outbox';

export interface IncidentRow {
  id: number;
  handoff: string;
  dedup_key: string;
  kind: string | null;
  title: string;
  severity: IncidentRecord['severity'];
  state: IncidentRecord['state'];
  owner: string;
  owner_source: IncidentRecord['ownerSource'];
  sla_due_at: number;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  escalated_at: number | null;
  escalated_to: string | null;
  error: string | null;
  context: string | null;
  execution: string | null;
  idempotency_key: string | null;
  resolution: string | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
}

type Stored = IncidentRecord & { id: number };

const json = (text: string | null) => (text === null ? null : JSON.parse(text));
const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const fromRow = (r: IncidentRow): Stored => ({
  id: r.id,
  handoff: r.handoff,
  dedupKey: r.dedup_key,
  kind: r.kind,
  title: r.title,
  severity: r.severity,
  state: r.state,
  owner: JSON.parse(r.owner),
  ownerSource: r.owner_source,
  slaDueAt: r.sla_due_at,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  count: r.count,
  acknowledgedAt: r.acknowledged_at,
  resolvedAt: r.resolved_at,
  escalatedAt: r.escalated_at,
  escalatedTo: json(r.escalated_to),
  error: json(r.error),
  context: json(r.context),
  execution: json(r.execution),
  idempotencyKey: r.idempotency_key,
  resolution: r.resolution,
  acknowledgedBy: r.acknowledged_by,
  resolvedBy: r.resolved_by,
});

const toParams = (r: IncidentRecord) => ({
  handoff: r.handoff,
  dedupKey: r.dedupKey,
  kind: r.kind,
  title: r.title,
  severity: r.severity,
  state: r.state,
  owner: JSON.stringify(r.owner),
  ownerName: r.owner.name,
  ownerChannel: r.owner.channel ?? null,
  ownerSource: r.ownerSource,
  slaDueAt: r.slaDueAt,
  firstSeenAt: r.firstSeenAt,
  lastSeenAt: r.lastSeenAt,
  count: r.count,
  acknowledgedAt: r.acknowledgedAt,
  resolvedAt: r.resolvedAt,
  escalatedAt: r.escalatedAt,
  escalatedTo: text(r.escalatedTo),
  error: text(r.error),
  context: text(r.context),
  execution: text(r.execution),
  idempotencyKey: r.idempotencyKey,
  resolution: r.resolution,
  acknowledgedBy: r.acknowledgedBy,
  resolvedBy: r.resolvedBy,
});

/** Escalation sweeps are bounded so one transaction never holds the write lock for long. */
const ESCALATION_BATCH = 500;

/** Appends one monitor-written event (or nothing) inside the caller's transaction. */
export function prepareAppendEvent(db: SqliteDb) {
  const insert = db.prepare('INSERT INTO events (handoff, key, kind, at, execution_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  return (e: HandoffEvent | undefined) => {
    if (e) insert.run(e.handoff, e.key ?? null, e.kind, e.at, e.executionId ?? null, e.details ? JSON.stringify(e.details) : null);
  };
}

export type RecoverKey = (handoff: string, key: string, resolution: string, now: number) => Incident[];

export function createSqliteIncidents(db: SqliteDb): IncidentStore & { recoverKey: RecoverKey } {
  const columns = `handoff, dedup_key, kind, title, severity, state, owner, owner_name, owner_channel, owner_source,
    sla_due_at, first_seen_at, last_seen_at, count, acknowledged_at, resolved_at, escalated_at, escalated_to,
    error, context, execution, idempotency_key, resolution, acknowledged_by, resolved_by`;
  const values = `@handoff, @dedupKey, @kind, @title, @severity, @state, @owner, @ownerName, @ownerChannel, @ownerSource,
    @slaDueAt, @firstSeenAt, @lastSeenAt, @count, @acknowledgedAt, @resolvedAt, @escalatedAt, @escalatedTo,
    @error, @context, @execution, @idempotencyKey, @resolution, @acknowledgedBy, @resolvedBy`;
  const insert = db.prepare(`INSERT INTO incidents (${columns}) VALUES (${values})`);
  const update = db.prepare(`UPDATE incidents SET (${columns}) = (${values}) WHERE id = @id`);
  const openByKey = db.prepare<[string, string], IncidentRow>(
    "SELECT * FROM incidents WHERE handoff = ? AND dedup_key = ? AND state <> 'resolved'",
  );
  const byId = db.prepare<[number], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
  const dueForEscalation = db.prepare<[number, number], IncidentRow>(
    "SELECT * FROM incidents WHERE state <> 'resolved' AND escalated_at IS NULL AND sla_due_at <= ? ORDER BY sla_due_at LIMIT ?",
  );
  // One statement for every filter combination: a NULL parameter means "any".
  const list = db.prepare<Record<string, string | number | null>, IncidentRow>(`
    SELECT * FROM incidents
    WHERE (@handoff IS NULL OR handoff = @handoff)
      AND (@state1 IS NULL OR state = @state1 OR state = @state2)
      AND (@owner IS NULL OR owner_name = @owner OR owner_channel = @owner)
    ORDER BY last_seen_at DESC, id DESC
    LIMIT @limit`);
  const enqueue = prepareEnqueue(db);
  const appendEvent = prepareAppendEvent(db);
  const openForKey = db.prepare<[string, string], IncidentRow>(
    "SELECT * FROM incidents WHERE handoff = ? AND idempotency_key = ? AND state <> 'resolved' ORDER BY id",
  );

  const queueAlert = (incident: Stored, draft: AlertDraft, now: number): boolean => {
    const message: AlertMessage = { kind: draft.kind, to: draft.to, incident: toWire(incident), at: new Date(now).toISOString() };
    return enqueue(incident.id, draft.kind, alertIdempotencyKey(incident.id, draft.kind), message, now);
  };

  const reportTx = db.transaction((report: IncidentReport, now: number) => {
    const row = openByKey.get(report.handoff, report.dedupKey);
    const existing = row && fromRow(row);
    const outcome = decideReport(existing, report, now);
    let stored: Stored;
    if (existing) {
      stored = { ...outcome.record, id: existing.id };
      update.run({ ...toParams(stored), id: existing.id });
    } else {
      const id = Number(insert.run(toParams(outcome.record)).lastInsertRowid);
      stored = { ...outcome.record, id };
    }
    const alertQueued = outcome.alert ? queueAlert(stored, outcome.alert, now) : false;
    appendEvent(incidentReportEvent(stored, outcome.deduplicated, report.failedAt, now));
    return { incident: toWire(stored), deduplicated: outcome.deduplicated, alertQueued };
  });

  const transitionTx = db.transaction((id: number, action: IncidentAction, now: number, by?: string): IncidentTransition => {
    const row = byId.get(id);
    if (!row) return { found: false };
    const current = fromRow(row);
    const outcome = decideTransition(current, action, now, by);
    if (!outcome.ok) return { found: true, ok: false, incident: toWire(current), problem: outcome.problem };
    const next = { ...outcome.record, id };
    if (outcome.changed) update.run({ ...toParams(next), id });
    if (outcome.changed && next.state === 'resolved' && next.idempotencyKey) {
      appendEvent(incidentResolvedEvent(next, openForKey.all(next.handoff, next.idempotencyKey).length, now));
    }
    return { found: true, ok: true, incident: toWire(next), changed: outcome.changed };
  });

  const escalateTx = db.transaction((now: number, targetFor: (incident: Incident) => Incident['owner']) => {
    const escalated: Incident[] = [];
    for (const row of dueForEscalation.all(now, ESCALATION_BATCH)) {
      const current = fromRow(row);
      const outcome = decideEscalation(current, targetFor(toWire(current)), now);
      if (!outcome) continue;
      const next = { ...outcome.record, id: current.id };
      update.run({ ...toParams(next), id: current.id });
      queueAlert(next, outcome.alert, now);
      escalated.push(toWire(next));
    }
    return escalated;
  });

  /** Inside the outcome fold's transaction: a pair completed, so its open incidents resolve. */
  const recoverKey: RecoverKey = (handoff, key, resolution, now) => {
    const resolved: Incident[] = [];
    for (const row of openForKey.all(handoff, key)) {
      const outcome = decideRecovery(fromRow(row), resolution, now);
      if (!outcome) continue;
      const next = { ...outcome.record, id: row.id };
      update.run({ ...toParams(next), id: row.id });
      queueAlert(next, outcome.alert, now);
      resolved.push(toWire(next));
    }
    return resolved;
  };

  return {
    async report(report, now) {
      return reportTx.immediate(report, now);
    },
    async get(id) {
      const row = byId.get(id);
      return row && toWire(fromRow(row));
    },
    async list(filter: IncidentFilter) {
      const [state1, state2] =
        filter.state === 'unresolved' ? ['open', 'acknowledged'] : filter.state ? [filter.state, filter.state] : [null, null];
      return list
        .all({ handoff: filter.handoff ?? null, state1, state2, owner: filter.owner ?? null, limit: filter.limit })
        .map((r) => toWire(fromRow(r)));
    },
    async transition(id, action, now, by) {
      return transitionTx.immediate(id, action, now, by);
    },
    async escalateDue(now, targetFor) {
      return escalateTx.immediate(now, targetFor);
    },
    outbox: createSqliteOutbox(db),
    recoverKey,
  };
}
