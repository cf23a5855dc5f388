/**
 * Builds the incident report for one failing item: handoff, kind, dedup key, title, owner and SLA
 * overrides, error, execution, idempotency key and a redacted, size-capped payload sample. Pure.
 */
import type { IDataObject } from 'n8n-workflow';
import { INCIDENT_LIMITS, type IncidentRequest, type IncidentSeverity } from '../../protocol/incidents';
import { redact, redactSample, redactString } from '../../protocol/redact';
import type { Failure } from './failure';

export interface IncidentSettings {
  handoff?: string;
  kind?: string;
  severity: IncidentSeverity;
  title?: string;
  dedupKey?: string;
  ownerName?: string;
  ownerChannel?: string;
  slaHours?: number;
  sampleMaxChars: number;
}

export interface RunInfo {
  executionId?: string;
  executionUrl?: string;
  workflowId?: string;
  workflowName?: string;
}

/** Keys that describe the failure itself; the sample shows the payload around them. */
const NOT_PAYLOAD = new Set(['error', 'errorDescription', '_handoff', 'execution', 'workflow', 'trigger']);

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Default dedup key: handoff + kind + idempotency key, so every retry of one deal is one incident.
 * Without a key (an Error Trigger), the workflow and node stand in: one failing step, one incident.
 */
export function defaultDedupKey(handoff: string, failure: Failure): string {
  const subject = failure.key ?? [failure.execution.workflowId ?? 'workflow', failure.error.node ?? 'node'].join(':');
  return cut(`${handoff}:${failure.kind}:${subject}`, INCIDENT_LIMITS.maxDedupKeyLength);
}

export function buildIncident(
  json: IDataObject,
  failure: Failure,
  settings: IncidentSettings,
  run: RunInfo,
): IncidentRequest & { handoff: string } {
  const handoff = settings.handoff || failure.handoff || '';
  const kind = settings.kind || failure.kind;
  const failed = { ...failure, kind };
  const payload: IDataObject = {};
  for (const [k, v] of Object.entries(json)) if (!NOT_PAYLOAD.has(k)) payload[k] = v;
  const where = failure.error.node ? ` in ${failure.error.node}` : '';
  const title = settings.title || `${kind}${where}: ${failure.error.message}`;
  const execution = failure.fromErrorTrigger
    ? failure.execution
    : { id: run.executionId, url: run.executionUrl, workflowId: run.workflowId, workflowName: run.workflowName };

  const incident: IncidentRequest & { handoff: string } = {
    handoff,
    dedupKey: redactString(settings.dedupKey || defaultDedupKey(handoff, failed)),
    title: cut(redactString(title.replace(/\s+/g, ' ')), INCIDENT_LIMITS.maxTitleLength),
    kind,
    severity: settings.severity,
    error: redact(failure.error, { limits: { maxString: 2_000 } }) as IncidentRequest['error'],
    execution: redact(dropEmpty(execution)) as IncidentRequest['execution'],
    context: { sample: redactSample(payload, settings.sampleMaxChars) },
  };
  if (failure.key) incident.idempotencyKey = redactString(failure.key);
  if (failure.failedAt !== undefined) incident.failedAt = new Date(failure.failedAt).toISOString();
  if (settings.ownerName)
    incident.owner = { name: settings.ownerName, ...(settings.ownerChannel ? { channel: settings.ownerChannel } : {}) };
  if (settings.slaHours && settings.slaHours > 0) incident.slaSeconds = Math.round(settings.slaHours * 3600);
  return incident;
}

function dropEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
