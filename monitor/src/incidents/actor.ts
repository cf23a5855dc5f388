/**
 * Who acknowledged or resolved an incident: a name given at sign-in on the dashboard, or `by` in the
 * API request. Free text a person typed, so it is redacted like every incident field (a token pasted
 * into the wrong box is never stored), kept to one line and cut to INCIDENT_LIMITS.maxActorLength.
 */
import { INCIDENT_LIMITS } from '../../../protocol/incidents';
import { redactString } from '../../../protocol/redact';

export function actorName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = redactString(raw.replace(/\s+/g, ' ').trim()).slice(0, INCIDENT_LIMITS.maxActorLength).trim();
  return name === '' ? undefined : name;
}
