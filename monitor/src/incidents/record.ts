/**
 * An incident as the monitor holds it (times in epoch ms), and its wire form (ISO times) for the API,
 * the alerts and the dashboard. Kept apart from the decisions so the store and the API share one shape.
 */
import type {
  Incident,
  IncidentAlsoReported,
  IncidentError,
  IncidentExecution,
  IncidentPerson,
  IncidentSeverity,
  IncidentState,
  OwnerSource,
} from '../../../protocol/incidents';

/** IncidentAlsoReported as the monitor holds it: times in epoch ms. */
export interface AlsoReported extends Omit<IncidentAlsoReported, 'firstSeenAt' | 'lastSeenAt'> {
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface IncidentRecord {
  /** Undefined until the store has inserted it. */
  id?: number;
  handoff: string;
  dedupKey: string;
  kind: string | null;
  title: string;
  severity: IncidentSeverity;
  state: IncidentState;
  owner: IncidentPerson;
  ownerSource: OwnerSource;
  slaDueAt: number;
  firstSeenAt: number;
  lastSeenAt: number;
  count: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  escalatedAt: number | null;
  escalatedTo: IncidentPerson | null;
  error: IncidentError | null;
  context: Record<string, unknown> | null;
  execution: IncidentExecution | null;
  idempotencyKey: string | null;
  resolution: string | null;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  /** Reports under other dedup keys that joined this incident through its idempotency key (decide.ts). */
  alsoReported: AlsoReported[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toWire(r: IncidentRecord & { id: number }): Incident {
  const out: Incident = {
    id: r.id,
    handoff: r.handoff,
    dedupKey: r.dedupKey,
    title: r.title,
    severity: r.severity,
    state: r.state,
    owner: r.owner,
    ownerSource: r.ownerSource,
    slaDueAt: iso(r.slaDueAt),
    firstSeenAt: iso(r.firstSeenAt),
    lastSeenAt: iso(r.lastSeenAt),
    count: r.count,
  };
  if (r.kind !== null) out.kind = r.kind;
  if (r.acknowledgedAt !== null) out.acknowledgedAt = iso(r.acknowledgedAt);
  if (r.resolvedAt !== null) out.resolvedAt = iso(r.resolvedAt);
  if (r.escalatedAt !== null) out.escalatedAt = iso(r.escalatedAt);
  if (r.escalatedTo !== null) out.escalatedTo = r.escalatedTo;
  if (r.error !== null) out.error = r.error;
  if (r.context !== null) out.context = r.context;
  if (r.execution !== null) out.execution = r.execution;
  if (r.idempotencyKey !== null) out.idempotencyKey = r.idempotencyKey;
  if (r.resolution !== null) out.resolution = r.resolution;
  if (r.acknowledgedBy) out.acknowledgedBy = r.acknowledgedBy;
  if (r.resolvedBy) out.resolvedBy = r.resolvedBy;
  if (r.alsoReported.length) {
    out.alsoReported = r.alsoReported.map((a) => ({ ...a, firstSeenAt: iso(a.firstSeenAt), lastSeenAt: iso(a.lastSeenAt) }));
  }
  return out;
}
