/** Redaction at the monitor's door: nothing a node sends is stored before this runs. */
import { redact } from '../../../protocol/redact';

export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  return redact(details, { limits: { maxString: 2_000 } }) as Record<string, unknown>;
}
