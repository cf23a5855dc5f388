/**
 * Redaction of an incident report before it is stored. Every free-text field and every nested value
 * goes through the shared redaction, by key name and by value pattern, and the context is cut to a
 * sample: whatever a node (or a failed run's error) carried is never stored, logged or alerted.
 */
import { INCIDENT_LIMITS, type IncidentError, type IncidentExecution } from '../../../protocol/incidents';
import { redact, redactSample, redactString } from '../../../protocol/redact';

/** The fields of a report that can carry secrets; the rest (handoff, kind, severity…) are checked words. */
export interface RedactableReport {
  dedupKey: string;
  title: string;
  error?: IncidentError;
  context?: Record<string, unknown>;
  execution?: IncidentExecution;
  idempotencyKey?: string;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A context too large even for the tightest sample comes back as text; keep the object shape. */
const asObject = (sample: unknown): Record<string, unknown> =>
  typeof sample === 'string' ? { sample } : (sample as Record<string, unknown>);

export function redactReport<T extends RedactableReport>(body: T): T {
  const clean = (s: string | undefined, max: number) => (s === undefined ? undefined : cut(redactString(s), max));
  return {
    ...body,
    dedupKey: redactString(body.dedupKey),
    title: cut(redactString(body.title), INCIDENT_LIMITS.maxTitleLength),
    error: body.error && (redact(body.error, { limits: { maxString: 4_000 } }) as IncidentError),
    context: body.context && asObject(redactSample(body.context, INCIDENT_LIMITS.maxContextChars)),
    execution: body.execution && (redact(body.execution, { limits: { maxString: 2_000 } }) as IncidentExecution),
    idempotencyKey: clean(body.idempotencyKey, 512),
  };
}
