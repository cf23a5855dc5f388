/**
 * The wire protocol for incidents (`/api/v1/incidents…`), shared by the Exception Router and the
 * monitor so both sides agree on names. The monitor validates (and redacts) every request anyway.
 */
import { API_BASE, API_ROUTES, incidentPath } from './paths';

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** open → acknowledged (someone is on it) → resolved. A resolved dedup key opens a new incident. */
export type IncidentState = 'open' | 'acknowledged' | 'resolved';

export interface IncidentPerson {
  name: string;
  channel?: string;
  email?: string;
}

/** Where the owner came from, so a reader can tell a contract route from a node override. */
export type OwnerSource = 'request' | 'route' | 'handoff' | 'unassigned';

export interface IncidentError {
  message: string;
  description?: string;
  node?: string;
  httpCode?: string | number;
}

export interface IncidentExecution {
  id?: string;
  workflowId?: string;
  workflowName?: string;
  url?: string;
}

/** An execution as a report names it: n8n's ids are strings, numbers are taken too and kept as text. */
export interface IncidentExecutionRef extends Omit<IncidentExecution, 'id' | 'workflowId'> {
  id?: string | number;
  workflowId?: string | number;
}

export interface IncidentRequest {
  handoff: string;
  /** Same key while the incident is open → one incident (count + last seen), not another. */
  dedupKey: string;
  title: string;
  /** Failure kind (request_failed, invalid, qa_failed, node_error…): picks the contract route. */
  kind?: string;
  severity?: IncidentSeverity;
  /** Overrides the contract's owner; a bare string is a name. */
  owner?: IncidentPerson | string;
  /** Overrides the handoff's exceptionSla. */
  slaSeconds?: number;
  error?: IncidentError;
  context?: Record<string, unknown>;
  execution?: IncidentExecutionRef;
  /**
   * The record this failure is about (a deal id). A report with no open incident for its dedupKey
   * joins the open incident for the same handoff and key, whoever opened it: one deal, one incident.
   */
  idempotencyKey?: string;
  /**
   * When the failure itself happened (ISO 8601): the first failed attempt, or the source record's
   * time for a reconcile miss. Time to detection runs from here; without it, from the report.
   */
  failedAt?: string;
}

/**
 * A report that joined an open incident under another dedup key: the same deal (handoff +
 * idempotency key) seen by someone else — the nightly reconcile, a stall detector. One entry per
 * dedup key, so the incident page can say who else saw it and how often.
 */
export interface IncidentAlsoReported {
  dedupKey: string;
  kind?: string;
  /** The n8n workflow that reported it, when the report named one (e.g. the nightly reconcile). */
  workflowName?: string;
  execution?: IncidentExecution;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

export interface Incident {
  id: number;
  handoff: string;
  dedupKey: string;
  kind?: string;
  title: string;
  severity: IncidentSeverity;
  state: IncidentState;
  owner: IncidentPerson;
  ownerSource: OwnerSource;
  /** ISO times throughout, so the JSON reads well in n8n and in curl. */
  slaDueAt: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** How many failures this incident stands for (1 + every deduplicated repeat). */
  count: number;
  acknowledgedAt?: string;
  resolvedAt?: string;
  escalatedAt?: string;
  escalatedTo?: IncidentPerson;
  error?: IncidentError;
  context?: Record<string, unknown>;
  execution?: IncidentExecution;
  idempotencyKey?: string;
  /** How it was resolved: by hand, or "recovered: completed at attempt N" when its handoff completed. */
  resolution?: string;
  /** Who acknowledged it: the name given at sign-in on the dashboard, or `by` in the API request. */
  acknowledgedBy?: string;
  /** Who resolved it by hand (absent when it recovered by itself, or when nobody gave a name). */
  resolvedBy?: string;
  /** Reports for the same idempotency key that joined this incident under another dedup key. */
  alsoReported?: IncidentAlsoReported[];
}

/** Body of `POST /incidents/:id/ack` and `/resolve` (optional): who is acting, recorded on the incident. */
export interface IncidentActionRequest {
  by?: string;
}

export interface IncidentResponse {
  incident: Incident;
  /**
   * True when an open incident absorbed this report: one with the same dedupKey, or else one for the
   * same handoff and idempotencyKey (one open incident per deal, whoever reports it).
   */
  deduplicated: boolean;
}

export interface IncidentListResponse {
  incidents: Incident[];
}

export const INCIDENT_PATHS = {
  incidents: `${API_BASE}${API_ROUTES.incidents}`,
  ack: (id: number) => incidentPath(API_ROUTES.ack, id),
  resolve: (id: number) => incidentPath(API_ROUTES.resolve, id),
  replay: (id: number) => incidentPath(API_ROUTES.replay, id),
} as const;

/** Limits both sides enforce, so a report the node builds is never one the monitor refuses. */
export const INCIDENT_LIMITS = {
  maxDedupKeyLength: 512,
  maxTitleLength: 300,
  /** A serialized context (payload sample, logs) larger than this is cut down before storage. */
  maxContextChars: 16_000,
  maxSlaSeconds: 90 * 24 * 3600,
  /** A name recorded as acknowledgedBy/resolvedBy (and as who asked for a replay). */
  maxActorLength: 200,
  /** Distinct other dedup keys an incident lists under alsoReported; past this the least recent is dropped. */
  maxAlsoReported: 20,
} as const;

/** Default exception SLA when neither the contract nor the node names one (docs/architecture.md: 48 hours). */
export const DEFAULT_EXCEPTION_SLA_SECONDS = 48 * 3600;
