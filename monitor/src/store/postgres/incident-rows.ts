/** An incidents row and the IncidentRecord the pure incident code works with. */
import type { IncidentRecord } from '../../incidents/record';

export type StoredIncident = IncidentRecord & { id: number };

export interface IncidentRow {
  id: number;
  handoff: string;
  dedup_key: string;
  kind: string | null;
  title: string;
  severity: IncidentRecord['severity'];
  state: IncidentRecord['state'];
  /** json columns arrive parsed (pg's json type parser). */
  owner: IncidentRecord['owner'];
  owner_source: IncidentRecord['ownerSource'];
  sla_due_at: number;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  escalated_at: number | null;
  escalated_to: IncidentRecord['escalatedTo'];
  error: IncidentRecord['error'];
  context: IncidentRecord['context'];
  execution: IncidentRecord['execution'];
  idempotency_key: string | null;
  resolution: string | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
}

/** Every column a write sets, in the order of toIncidentParams. */
export const COLUMNS = [
  'handoff', 'dedup_key', 'kind', 'title', 'severity', 'state', 'owner', 'owner_name', 'owner_channel', 'owner_source',
  'sla_due_at', 'first_seen_at', 'last_seen_at', 'count', 'acknowledged_at', 'resolved_at', 'escalated_at', 'escalated_to',
  'error', 'context', 'execution', 'idempotency_key', 'resolution', 'acknowledged_by', 'resolved_by',
] as const;

/** JSON goes in as text: pg would turn a JS array into a Postgres array, not a JSON one. */
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const toIncidentParams = (r: IncidentRecord): unknown[] => [
  r.handoff, r.dedupKey, r.kind, r.title, r.severity, r.state, json(r.owner), r.owner.name, r.owner.channel ?? null, r.ownerSource,
  r.slaDueAt, r.firstSeenAt, r.lastSeenAt, r.count, r.acknowledgedAt, r.resolvedAt, r.escalatedAt, json(r.escalatedTo),
  json(r.error), json(r.context), json(r.execution), r.idempotencyKey, r.resolution, r.acknowledgedBy, r.resolvedBy,
];

export const fromIncidentRow = (r: IncidentRow): StoredIncident => ({
  id: r.id,
  handoff: r.handoff,
  dedupKey: r.dedup_key,
  kind: r.kind,
  title: r.title,
  severity: r.severity,
  state: r.state,
  owner: r.owner,
  ownerSource: r.owner_source,
  slaDueAt: r.sla_due_at,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  count: r.count,
  acknowledgedAt: r.acknowledged_at,
  resolvedAt: r.resolved_at,
  escalatedAt: r.escalated_at,
  escalatedTo: r.escalated_to,
  error: r.error,
  context: r.context,
  execution: r.execution,
  idempotencyKey: r.idempotency_key,
  resolution: r.resolution,
  acknowledgedBy: r.acknowledged_by,
  resolvedBy: r.resolved_by,
});
