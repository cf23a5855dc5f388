/**
 * Opens (or, through the dedup key, updates) the incident for something the monitor itself found —
 * a failed run or a stall — through the same service as POST /api/v1/incidents (incidents/open.ts).
 * A new keyless incident also records the time to detection (first failure signal → incident
 * opened, docs/architecture.md "Definitions"); one with a key is measured by the outcome fold.
 */
import type { IncidentExecution, IncidentSeverity } from '../../../protocol/incidents';
import type { ContractStore } from '../contract/store';
import type { AggregateStore, IncidentStore } from '../domain/store';
import { createIncidentOpener } from '../incidents/open';

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
  const open = createIncidentOpener(deps);
  return async (finding) => {
    const { signalAt, ...report } = finding;
    const result = await open({ ...report, failedAt: signalAt });
    // A finding tied to a key is measured with its pair by the outcome fold; a keyless one here.
    if (!result.deduplicated && !result.incident.idempotencyKey) {
      await deps.aggregates.observe('time_to_detection', finding.handoff, Math.max(0, result.at - signalAt) / 1000);
    }
    return { opened: !result.deduplicated };
  };
}
