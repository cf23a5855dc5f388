/**
 * Redaction of an incident report at the monitor's door. Every free-text field and every nested
 * value goes through the shared redaction, by key name and by value pattern, and the context is
 * cut to a sample: whatever a node forgot to redact is never stored, logged or alerted.
 */
import { INCIDENT_LIMITS } from '../../../protocol/incidents';
import { redact, redactSample, redactString } from '../../../protocol/redact';
import type { incidentRequestSchema } from './routes/incidents';
import type { z } from 'zod';

type IncidentBody = z.output<typeof incidentRequestSchema>;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A context too large even for the tightest sample comes back as text; keep the object shape. */
const asObject = (sample: unknown): Record<string, unknown> =>
  typeof sample === 'string' ? { sample } : (sample as Record<string, unknown>);

export function redactIncidentInput(body: IncidentBody): IncidentBody {
  const clean = (s: string | undefined, max: number) => (s === undefined ? undefined : cut(redactString(s), max));
  return {
    ...body,
    dedupKey: redactString(body.dedupKey),
    title: cut(redactString(body.title), INCIDENT_LIMITS.maxTitleLength),
    error: body.error && (redact(body.error, { limits: { maxString: 4_000 } }) as IncidentBody['error']),
    context: body.context && asObject(redactSample(body.context, INCIDENT_LIMITS.maxContextChars)),
    execution: body.execution && (redact(body.execution, { limits: { maxString: 2_000 } }) as IncidentBody['execution']),
    idempotencyKey: clean(body.idempotencyKey, 512),
  };
}
