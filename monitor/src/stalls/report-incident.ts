/**
 * Opens (or, through the dedup key, updates) the incident for something the monitor itself found —
 * a failed run or a stall — the same way POST /api/v1/incidents does: owner and SLA from the
 * contract's routes, everything redacted before it is stored. A new incident also records the time
 * to detection (first failure signal → incident opened, docs/architecture.md "Definitions").
 */
import type { IncidentExecution, IncidentSeverity } from '../../../protocol/incidents';
import { redactIncidentInput } from '../api/redact-incident';
import type { ContractStore } from '../contract/store';
import { exceptionSlaMs, resolveOwner } from '../incidents/owner';
import type { AggregateStore, IncidentStore } from '../store/types';

export interface MonitorFinding {
  handoff: string;
  /** Picks the contract route: 'stalled' for stalls, 'execution_failed' for failed runs. */
  kind: string;
  /**
   * A more specific route tried before `kind` (a stalled review: 'review_stalled', the reviewer). The
   * incident keeps `kind`, so stall counts and SLA breaches treat it as any other stall.
   */
  route?: string;
  dedupKey: string;
  title: string;
  /** When the failure signal happened: execution stop, lease or SLA expiry. */
  signalAt: number;
  severity?: IncidentSeverity;
  error?: { message: string; node?: string };
  execution?: IncidentExecution;
  context?: Record<string, unknown>;
  idempotencyKey?: string;
}

export type FindingReporter = (finding: MonitorFinding) => Promise<{ opened: boolean }>;

export function createFindingReporter(deps: {
  incidents: IncidentStore;
  aggregates: AggregateStore;
  contracts: ContractStore;
  now: () => number;
  onAlertQueued?: () => void;
}): FindingReporter {
  return async (finding) => {
    const handoff = deps.contracts.handoff(finding.handoff);
    const specific = finding.route?.toLowerCase();
    const routed = specific !== undefined && handoff?.routes.some((r) => r.match.toLowerCase() === specific);
    const { owner, source } = resolveOwner(handoff, routed ? specific : finding.kind);
    const clean = redactIncidentInput({
      handoff: finding.handoff,
      dedupKey: finding.dedupKey,
      title: finding.title,
      kind: finding.kind,
      error: finding.error,
      context: finding.context,
      execution: finding.execution,
      idempotencyKey: finding.idempotencyKey,
    });
    const now = deps.now();
    const result = await deps.incidents.report(
      {
        handoff: clean.handoff,
        dedupKey: clean.dedupKey,
        title: clean.title,
        kind: finding.kind,
        severity: finding.severity ?? 'high',
        owner,
        ownerSource: source,
        slaMs: exceptionSlaMs(handoff),
        error: clean.error,
        context: clean.context,
        execution: clean.execution,
        idempotencyKey: clean.idempotencyKey,
        failedAt: finding.signalAt,
      },
      now,
    );
    // A finding tied to a key is measured with its pair by the outcome fold; a keyless one here.
    if (!result.deduplicated && !clean.idempotencyKey) await deps.aggregates.observe('time_to_detection', finding.handoff, Math.max(0, now - finding.signalAt) / 1000);
    if (result.alertQueued) deps.onAlertQueued?.();
    return { opened: !result.deduplicated };
  };
}
