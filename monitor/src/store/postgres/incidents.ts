/**
 * Incidents on Postgres. Each report, transition and escalation sweep is one transaction that also
 * writes its alert to the outbox, as on SQLite; the decisions are the pure incidents/decide.ts.
 * Across replicas, the partial unique index on open (handoff, dedup_key) makes a retry storm one
 * incident: a report locks the open incident, and when there is none, inserts with ON CONFLICT DO
 * NOTHING — if another replica opened it meanwhile, the report looks again and folds into it.
 * A report with an idempotency key may join the deal's open incident under another dedup key, which
 * no index guards; it first takes a transaction advisory lock on (handoff, key), so two reports for
 * one deal under different dedup keys, on two replicas at once, still make one incident.
 */
import type { Pool, PoolClient } from 'pg';
import type { Incident } from '../../../../protocol/incidents';
import { alertIdempotencyKey, type AlertMessage } from '../../domain/incident-message';
import { AlertDraft, decideEscalation, decideRecovery, decideReport, decideTransition, incidentToJoin } from '../../incidents/decide';
import { IncidentAction, IncidentReport } from '../../domain/incidents';
import { IncidentRecord, toWire } from '../../incidents/record';
import type { IncidentFilter, IncidentStore, IncidentTransition } from '../../domain/store';
import { COLUMNS, fromIncidentRow, IncidentRow, toIncidentParams, type StoredIncident } from './incident-rows';
import { createPostgresOutbox, enqueueAlert } from './outbox';
import { inTransaction, RetryTransaction, run, type Statement } from './pool';
import { insertEvents } from './events';
import { incidentReportEvent, incidentResolvedEvent } from '../../outcomes/signals';
import { INCIDENT_KEY_LOCK_CLASS } from './locks';

/** Escalation sweeps are bounded so one transaction never holds its locks for long. */
const ESCALATION_BATCH = 500;
/** A report that lost the race to open an incident finds it on its next look; more is a bug. */
const REPORT_LOOKS = 3;

const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
const INSERT: Statement = {
  name: 'handoff-incidents-insert',
  text: `INSERT INTO incidents (${COLUMNS.join(', ')}) VALUES (${placeholders})
         ON CONFLICT (handoff, dedup_key) WHERE state <> 'resolved' DO NOTHING
         RETURNING id`,
};
const UPDATE: Statement = {
  name: 'handoff-incidents-update',
  text: `UPDATE incidents SET ${COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${COLUMNS.length + 1}`,
};
const OPEN_BY_KEY: Statement = {
  name: 'handoff-incidents-open-by-key',
  text: "SELECT * FROM incidents WHERE handoff = $1 AND dedup_key = $2 AND state <> 'resolved' FOR UPDATE",
};
const OPEN_FOR_KEY: Statement = {
  name: 'handoff-incidents-open-for-key',
  text: "SELECT * FROM incidents WHERE handoff = $1 AND idempotency_key = $2 AND state <> 'resolved' ORDER BY id FOR UPDATE",
};
// The two-integer advisory lock space is apart from the bigint one the other locks use (locks.ts);
// a hash collision only makes two unrelated deals' reports wait for each other.
const LOCK_DEAL: Statement = {
  name: 'handoff-incidents-lock-deal',
  // length:handoff then key, so no two pairs make the same text (Postgres text cannot hold a NUL).
  text: "SELECT pg_advisory_xact_lock($1::integer, hashtext(length($2)::text || ':' || $2 || $3))",
};
const BY_ID: Statement = { name: 'handoff-incidents-by-id', text: 'SELECT * FROM incidents WHERE id = $1' };
const LOCK_BY_ID: Statement = { name: 'handoff-incidents-lock-by-id', text: 'SELECT * FROM incidents WHERE id = $1 FOR UPDATE' };
// SKIP LOCKED: a replica sweeping at the same moment takes the others; each is escalated once.
const DUE_FOR_ESCALATION: Statement = {
  name: 'handoff-incidents-due-for-escalation',
  text: `SELECT * FROM incidents WHERE state <> 'resolved' AND escalated_at IS NULL AND sla_due_at <= $1
         ORDER BY sla_due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
};
// One statement for every filter combination: a NULL parameter means "any".
const LIST: Statement = {
  name: 'handoff-incidents-list',
  text: `SELECT * FROM incidents
         WHERE ($1::text IS NULL OR handoff = $1)
           AND ($2::text IS NULL OR state = $2 OR state = $3::text)
           AND ($4::text IS NULL OR owner_name = $4 OR owner_channel = $4)
         ORDER BY last_seen_at DESC, id DESC
         LIMIT $5`,
};

const update = (client: PoolClient, r: StoredIncident) => run(client, UPDATE, [...toIncidentParams(r), r.id]);

function queueAlert(client: PoolClient, incident: StoredIncident, draft: AlertDraft, now: number): Promise<boolean> {
  const message: AlertMessage = { kind: draft.kind, to: draft.to, incident: toWire(incident), at: new Date(now).toISOString() };
  return enqueueAlert(client, incident.id, draft.kind, alertIdempotencyKey(incident.id, draft.kind), message, now);
}

async function reportIn(client: PoolClient, report: IncidentReport, now: number) {
  if (report.idempotencyKey) await run(client, LOCK_DEAL, [INCIDENT_KEY_LOCK_CLASS, report.handoff, report.idempotencyKey]);
  for (let look = 0; look < REPORT_LOOKS; look++) {
    // The candidates incidentToJoin picks from: the open incident for the dedup key, and those for the deal's key.
    const sameDedupKey = (await run<IncidentRow>(client, OPEN_BY_KEY, [report.handoff, report.dedupKey])).rows;
    const sameKey = report.idempotencyKey
      ? (await run<IncidentRow>(client, OPEN_FOR_KEY, [report.handoff, report.idempotencyKey])).rows
      : [];
    const existing = incidentToJoin([...sameDedupKey, ...sameKey].map(fromIncidentRow), report);
    const outcome = decideReport(existing, report, now);
    let stored: StoredIncident;
    if (existing) {
      stored = { ...outcome.record, id: existing.id };
      await update(client, stored);
    } else {
      const inserted = await run<{ id: number }>(client, INSERT, toIncidentParams(outcome.record));
      if (inserted.rows.length === 0) continue; // another replica opened it since we looked
      stored = { ...outcome.record, id: inserted.rows[0].id };
    }
    const alertQueued = outcome.alert ? await queueAlert(client, stored, outcome.alert, now) : false;
    await insertEvents(client, compact([incidentReportEvent(stored, report, outcome.deduplicated, now)]));
    return { incident: toWire(stored), deduplicated: outcome.deduplicated, alertQueued };
  }
  throw new RetryTransaction('the open incident kept changing under the report');
}

async function transitionIn(client: PoolClient, id: number, action: IncidentAction, now: number, by?: string): Promise<IncidentTransition> {
  const { rows } = await run<IncidentRow>(client, LOCK_BY_ID, [id]);
  if (!rows[0]) return { found: false };
  const current = fromIncidentRow(rows[0]);
  const outcome = decideTransition(current, action, now, by);
  if (!outcome.ok) return { found: true, ok: false, incident: toWire(current), problem: outcome.problem };
  const next = { ...outcome.record, id };
  if (outcome.changed) await update(client, next);
  if (outcome.changed && next.state === 'resolved' && next.idempotencyKey) {
    const open = (await run(client, OPEN_FOR_KEY, [next.handoff, next.idempotencyKey])).rows.length;
    await insertEvents(client, compact([incidentResolvedEvent(next, open, now)]));
  }
  return { found: true, ok: true, incident: toWire(next), changed: outcome.changed };
}

/** Inside the outcome fold's transaction: a pair completed, so its open incidents resolve. */
export async function recoverKeyIn(client: PoolClient, handoff: string, key: string, resolution: string, now: number): Promise<Incident[]> {
  const resolved: Incident[] = [];
  const { rows } = await run<IncidentRow>(client, OPEN_FOR_KEY, [handoff, key]);
  for (const row of rows) {
    const outcome = decideRecovery(fromIncidentRow(row), resolution, now);
    if (!outcome) continue;
    const next: StoredIncident = { ...outcome.record, id: row.id };
    await update(client, next);
    await queueAlert(client, next, outcome.alert, now);
    resolved.push(toWire(next));
  }
  return resolved;
}

const compact = <T>(list: (T | undefined)[]): T[] => list.filter((x): x is T => x !== undefined);

async function escalateIn(client: PoolClient, now: number, targetFor: (incident: Incident) => Incident['owner']) {
  const escalated: Incident[] = [];
  const { rows } = await run<IncidentRow>(client, DUE_FOR_ESCALATION, [now, ESCALATION_BATCH]);
  for (const row of rows) {
    const current = fromIncidentRow(row);
    const outcome = decideEscalation(current, targetFor(toWire(current)), now);
    if (!outcome) continue;
    const next: StoredIncident = { ...(outcome.record as IncidentRecord), id: current.id };
    await update(client, next);
    await queueAlert(client, next, outcome.alert, now);
    escalated.push(toWire(next));
  }
  return escalated;
}

export function createPostgresIncidents(pool: Pool): IncidentStore {
  return {
    report: (report, now) => inTransaction(pool, (client) => reportIn(client, report, now)),
    async get(id) {
      const { rows } = await run<IncidentRow>(pool, BY_ID, [id]);
      return rows[0] && toWire(fromIncidentRow(rows[0]));
    },
    async list(filter: IncidentFilter) {
      const [state1, state2] =
        filter.state === 'unresolved' ? ['open', 'acknowledged'] : filter.state ? [filter.state, filter.state] : [null, null];
      const { rows } = await run<IncidentRow>(pool, LIST, [filter.handoff ?? null, state1, state2, filter.owner ?? null, filter.limit]);
      return rows.map((r) => toWire(fromIncidentRow(r)));
    },
    transition: (id, action, now, by) => inTransaction(pool, (client) => transitionIn(client, id, action, now, by)),
    escalateDue: (now, targetFor) => inTransaction(pool, (client) => escalateIn(client, now, targetFor)),
    outbox: createPostgresOutbox(pool),
  };
}
