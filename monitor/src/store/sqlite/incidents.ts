/**
 * Incidents on SQLite. Each report, transition and escalation sweep is one IMMEDIATE transaction
 * that also writes its alert to the outbox, so an incident change and its alert are never apart.
 * The decisions themselves are the pure functions of incidents/decide.ts.
 */
import type { Incident } from '../../../../protocol/incidents';
import { alertIdempotencyKey, type AlertMessage } from '../../domain/incident-message';
import { AlertDraft, decideEscalation, decideRecovery, decideReport, decideTransition, incidentToJoin } from '../../incidents/decide';
import { IncidentAction, IncidentReport } from '../../domain/incidents';
import { incidentReportEvent, incidentResolvedEvent } from '../../outcomes/signals';
import type { HandoffEvent } from '../../domain/store';
import { toWire } from '../../incidents/record';
import type { IncidentFilter, IncidentStore, IncidentTransition } from '../../domain/store';
import type { SqliteDb } from './open';
import { createSqliteOutbox, prepareEnqueue } from './outbox';
import { fromIncidentRow, INCIDENT_COLUMNS, type IncidentRow, type StoredIncident, toIncidentParams } from '../rows/incidents';

export type { IncidentRow };

/** SQLite keeps the JSON columns as text. */
export const fromRow = (r: IncidentRow): StoredIncident => fromIncidentRow(r, 'text');

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
  const insert = db.prepare(
    `INSERT INTO incidents (${INCIDENT_COLUMNS.join(', ')}) VALUES (${INCIDENT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const updateRow = db.prepare(
    `UPDATE incidents SET (${INCIDENT_COLUMNS.join(', ')}) = (${INCIDENT_COLUMNS.map(() => '?').join(', ')}) WHERE id = ?`,
  );
  const update = (r: StoredIncident) => updateRow.run(...toIncidentParams(r), r.id);
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

  const queueAlert = (incident: StoredIncident, draft: AlertDraft, now: number): boolean => {
    const message: AlertMessage = { kind: draft.kind, to: draft.to, incident: toWire(incident), at: new Date(now).toISOString() };
    return enqueue(incident.id, draft.kind, alertIdempotencyKey(incident.id, draft.kind), message, now);
  };

  const reportTx = db.transaction((report: IncidentReport, now: number) => {
    // The candidates incidentToJoin picks from: the open incident for the dedup key, and those for the deal's key.
    const sameDedupKey = openByKey.get(report.handoff, report.dedupKey);
    const sameKey = report.idempotencyKey ? openForKey.all(report.handoff, report.idempotencyKey) : [];
    const existing = incidentToJoin([...(sameDedupKey ? [sameDedupKey] : []), ...sameKey].map(fromRow), report);
    const outcome = decideReport(existing, report, now);
    let stored: StoredIncident;
    if (existing) {
      stored = { ...outcome.record, id: existing.id };
      update(stored);
    } else {
      const id = Number(insert.run(...toIncidentParams(outcome.record)).lastInsertRowid);
      stored = { ...outcome.record, id };
    }
    const alertQueued = outcome.alert ? queueAlert(stored, outcome.alert, now) : false;
    appendEvent(incidentReportEvent(stored, report, outcome.deduplicated, now));
    return { incident: toWire(stored), deduplicated: outcome.deduplicated, alertQueued };
  });

  const transitionTx = db.transaction((id: number, action: IncidentAction, now: number, by?: string): IncidentTransition => {
    const row = byId.get(id);
    if (!row) return { found: false };
    const current = fromRow(row);
    const outcome = decideTransition(current, action, now, by);
    if (!outcome.ok) return { found: true, ok: false, incident: toWire(current), problem: outcome.problem };
    const next = { ...outcome.record, id };
    if (outcome.changed) update(next);
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
      update(next);
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
      update(next);
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
