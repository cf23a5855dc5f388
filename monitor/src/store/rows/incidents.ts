/**
 * An incidents row and the IncidentRecord the pure incident code works with; one mapping for both
 * stores. The only difference between them is how a JSON column reads back: SQLite keeps it as text,
 * Postgres (json type) hands it over already parsed. Both take it in as text.
 */
import type { IncidentRecord } from '../../incidents/record';

export type StoredIncident = IncidentRecord & { id: number };

/** The JSON columns (owner, escalated_to, error, context, execution, also_reported): text on SQLite, values on Postgres. */
export type JsonColumns = 'text' | 'parsed';

export interface IncidentRow {
  id: number;
  handoff: string;
  dedup_key: string;
  kind: string | null;
  title: string;
  severity: IncidentRecord['severity'];
  state: IncidentRecord['state'];
  owner: unknown;
  owner_source: IncidentRecord['ownerSource'];
  sla_due_at: number;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  escalated_at: number | null;
  escalated_to: unknown;
  error: unknown;
  context: unknown;
  execution: unknown;
  idempotency_key: string | null;
  resolution: string | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
  also_reported: unknown;
}

/** Every column a write sets, in the order of toIncidentParams (owner_name and owner_channel copy the owner for the ?owner= filter). */
export const INCIDENT_COLUMNS = [
  'handoff',
  'dedup_key',
  'kind',
  'title',
  'severity',
  'state',
  'owner',
  'owner_name',
  'owner_channel',
  'owner_source',
  'sla_due_at',
  'first_seen_at',
  'last_seen_at',
  'count',
  'acknowledged_at',
  'resolved_at',
  'escalated_at',
  'escalated_to',
  'error',
  'context',
  'execution',
  'idempotency_key',
  'resolution',
  'acknowledged_by',
  'resolved_by',
  'also_reported',
] as const;

/** JSON goes in as text on both stores: pg would turn a JS array into a Postgres array, not a JSON one. */
const jsonText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const toIncidentParams = (r: IncidentRecord): (string | number | null)[] => [
  r.handoff,
  r.dedupKey,
  r.kind,
  r.title,
  r.severity,
  r.state,
  jsonText(r.owner),
  r.owner.name,
  r.owner.channel ?? null,
  r.ownerSource,
  r.slaDueAt,
  r.firstSeenAt,
  r.lastSeenAt,
  r.count,
  r.acknowledgedAt,
  r.resolvedAt,
  r.escalatedAt,
  jsonText(r.escalatedTo),
  jsonText(r.error),
  jsonText(r.context),
  jsonText(r.execution),
  r.idempotencyKey,
  r.resolution,
  r.acknowledgedBy,
  r.resolvedBy,
  // Most incidents are never joined: no list is stored as NULL, not as '[]'.
  r.alsoReported.length ? jsonText(r.alsoReported) : null,
];

export function fromIncidentRow(r: IncidentRow, json: JsonColumns): StoredIncident {
  const read = json === 'text' ? (v: unknown) => (v === null ? null : JSON.parse(v as string)) : (v: unknown) => v;
  return {
    id: r.id,
    handoff: r.handoff,
    dedupKey: r.dedup_key,
    kind: r.kind,
    title: r.title,
    severity: r.severity,
    state: r.state,
    owner: read(r.owner) as IncidentRecord['owner'],
    ownerSource: r.owner_source,
    slaDueAt: r.sla_due_at,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    count: r.count,
    acknowledgedAt: r.acknowledged_at,
    resolvedAt: r.resolved_at,
    escalatedAt: r.escalated_at,
    escalatedTo: read(r.escalated_to) as IncidentRecord['escalatedTo'],
    error: read(r.error) as IncidentRecord['error'],
    context: read(r.context) as IncidentRecord['context'],
    execution: read(r.execution) as IncidentRecord['execution'],
    idempotencyKey: r.idempotency_key,
    resolution: r.resolution,
    acknowledgedBy: r.acknowledged_by,
    resolvedBy: r.resolved_by,
    // NULL (never joined, or a row older than the column) is an empty list.
    alsoReported: (read(r.also_reported ?? null) as IncidentRecord['alsoReported'] | null) ?? [],
  };
}
