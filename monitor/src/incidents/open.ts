/**
 * Opening an incident — or, through the dedup key, counting a repeat of an open one — the same way for
 * both who open them: the API (`POST /api/v1/incidents`, a node's report) and the monitor's own
 * detectors (a failed run, a stall). Owner and SLA come from the contract's routes unless the reporter
 * names them, everything is redacted before the store sees it, and a queued alert wakes the outbox.
 */
import type { Incident, IncidentError, IncidentExecution, IncidentPerson, IncidentSeverity } from '../../../protocol/incidents';
import type { ContractStore } from '../contract/store';
import type { IncidentStore } from '../domain/store';
import { exceptionSlaMs, resolveOwner } from './owner';
import { redactReport } from './redact-report';

/** A failure to open an incident for, once its reporter's input is validated. */
export interface IncidentToOpen {
  handoff: string;
  /** Same key while the incident is open → one incident (count + last seen), not another. */
  dedupKey: string;
  title: string;
  /** Picks the contract route (request_failed, invalid, stalled, execution_failed…); the incident keeps it. */
  kind?: string;
  /** A more specific route tried before `kind` (a stalled review: 'review_stalled', the reviewer). */
  route?: string;
  /** Default `high`. */
  severity?: IncidentSeverity;
  /** The reporter's owner, over the contract's. */
  owner?: IncidentPerson;
  /** The reporter's SLA, over the handoff's exceptionSla. */
  slaSeconds?: number;
  error?: IncidentError;
  context?: Record<string, unknown>;
  execution?: IncidentExecution;
  idempotencyKey?: string;
  /** When the failure itself happened (epoch ms); time to detection runs from there. */
  failedAt?: number;
}

export interface OpenedIncident {
  incident: Incident;
  /** True when an open incident with the same dedup key absorbed this one. */
  deduplicated: boolean;
  /** The monitor's time when it was recorded. */
  at: number;
}

export type IncidentOpener = (report: IncidentToOpen) => Promise<OpenedIncident>;

export function createIncidentOpener(deps: {
  incidents: IncidentStore;
  contracts: ContractStore;
  now: () => number;
  /** Called after a change queued an alert, so delivery starts now rather than at the next tick. */
  onAlertQueued?: () => void;
}): IncidentOpener {
  return async (report) => {
    const handoff = deps.contracts.handoff(report.handoff);
    const specific = report.route?.toLowerCase();
    const routed = specific !== undefined && handoff?.routes.some((r) => r.match.toLowerCase() === specific);
    const { owner, source } = resolveOwner(handoff, routed ? specific : report.kind, report.owner);
    const clean = redactReport(report);
    const at = deps.now();
    const result = await deps.incidents.report(
      {
        handoff: clean.handoff,
        dedupKey: clean.dedupKey,
        title: clean.title,
        kind: clean.kind,
        severity: clean.severity ?? 'high',
        owner,
        ownerSource: source,
        slaMs: exceptionSlaMs(handoff, clean.slaSeconds),
        error: clean.error,
        context: clean.context,
        execution: clean.execution,
        idempotencyKey: clean.idempotencyKey,
        failedAt: clean.failedAt,
      },
      at,
    );
    if (result.alertQueued) deps.onAlertQueued?.();
    return { incident: result.incident, deduplicated: result.deduplicated, at };
  };
}
