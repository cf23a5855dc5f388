/**
 * Who owns an incident and when its SLA runs out, from the contract (docs/architecture.md: "routes: first
 * match wins, else the owner"; exceptionSla, default 48h). Pure: table-tested without a monitor.
 */
import { DEFAULT_EXCEPTION_SLA_SECONDS, type IncidentPerson, type OwnerSource } from '../../../protocol/incidents';
import type { Handoff } from '../contract/schema';

export const UNASSIGNED: IncidentPerson = { name: 'unassigned' };

export function resolveOwner(
  handoff: Handoff | undefined,
  kind: string | undefined,
  override?: IncidentPerson,
): { owner: IncidentPerson; source: OwnerSource } {
  if (override) return { owner: override, source: 'request' };
  if (!handoff) return { owner: UNASSIGNED, source: 'unassigned' };
  const wanted = kind?.toLowerCase();
  const route = handoff.routes.find((r) => r.match === '*' || (wanted !== undefined && r.match.toLowerCase() === wanted));
  if (!route) return { owner: handoff.owner, source: 'handoff' };
  if (route.to === 'owner') return { owner: handoff.owner, source: 'route' };
  // The contract schema refuses "escalation" without a target; the fallback is for hand-built contracts.
  if (route.to === 'escalation') return { owner: handoff.escalation ?? handoff.owner, source: 'route' };
  return { owner: route.to, source: 'route' };
}

/** The node may shorten or lengthen the SLA; otherwise the handoff's exceptionSla, else 48 hours. */
export function exceptionSlaMs(handoff: Handoff | undefined, overrideSeconds?: number): number {
  if (overrideSeconds !== undefined) return overrideSeconds * 1000;
  return handoff?.exceptionSla ?? DEFAULT_EXCEPTION_SLA_SECONDS * 1000;
}

/** Escalation goes to the contract's on-call; without one, back to the owner, so it is never silent. */
export function escalationTarget(handoff: Handoff | undefined, owner: IncidentPerson): IncidentPerson {
  return handoff?.escalation ?? owner;
}
