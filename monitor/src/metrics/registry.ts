/**
 * /metrics: every family design.md names, on the monitor's own prom-client Registry (never the
 * global one, so tests and a library user can build two). Values come from precomputed aggregates
 * (AggregateStore.snapshot, the detector's stall counts, the collector's status), loaded once per
 * scrape; concurrent scrapes share that one load and its text (pattern: n8n's Prometheus service).
 * Labels are bounded: handoff ids, decisions, statuses, windows, stall kinds, owners, severities —
 * never an idempotency key or an execution id.
 */
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { ContractStore } from '../contract/store';
import type { StallKind } from '../stalls/detect';
import { STALL_KINDS } from '../stalls/detect';
import type { AggregateSnapshot, AggregateStore } from '../store/types';
import type { CollectorStatus } from '../collector/collector';
import { HISTOGRAM_BOUNDS, WINDOWS } from './definitions';
import { StoredHistogram } from './stored-histogram';

/** The contract's default (contract/schema.ts), for handoffs that only the ledger has seen. */
const DEFAULT_REWORK_MINUTES = 30;
/** Claim decisions that stopped a second run of the same work (design.md: duplicates suppressed). */
const SUPPRESSED = new Set(['duplicate', 'in_progress']);

export interface MetricsSources {
  aggregates: AggregateStore;
  contracts: ContractStore;
  stalls(): ReadonlyMap<string, ReadonlyMap<StallKind, number>>;
  /** Undefined when no n8n is configured (the collector is off). */
  collector?: () => CollectorStatus;
}

export interface MonitorMetrics {
  registry: Registry;
  contentType: string;
  /** The exposition text; one store read however many scrapes arrive together. */
  scrape(): Promise<string>;
}

export function createMetrics(sources: MetricsSources): MonitorMetrics {
  const registry = new Registry();
  const registers = [registry];

  const claims = new Counter({ name: 'handoff_claims_total', help: 'Ledger claim decisions per handoff (new, duplicate, in_progress, conflict).', labelNames: ['handoff', 'decision'], registers });
  const executions = new Counter({ name: 'handoff_executions_total', help: 'Finished n8n executions per handoff and final status.', labelNames: ['handoff', 'status'], registers });
  const ratio = new Gauge({ name: 'handoff_failed_sync_ratio', help: 'Failed handoff runs / all handoff runs in the window (1h, 24h, 7d); NaN without runs.', labelNames: ['handoff', 'window'], registers });
  const detection = new StoredHistogram('handoff_time_to_detection_seconds', 'First failure signal (execution stop, lease or SLA expiry) to incident opened, for incidents the monitor opened.', HISTOGRAM_BOUNDS.time_to_detection);
  const recovery = new StoredHistogram('handoff_time_to_recovery_seconds', 'Incident opened to resolved, or failed run to the success of its retry.', HISTOGRAM_BOUNDS.time_to_recovery);
  registry.registerMetric(detection as unknown as Metric);
  registry.registerMetric(recovery as unknown as Metric);
  const stalled = new Gauge({ name: 'handoff_stalled', help: 'Stalls found by the latest detector tick: claim, execution, no_outcome, cadence.', labelNames: ['handoff', 'kind'], registers });
  const incidentsOpen = new Gauge({ name: 'handoff_incidents_open', help: 'Unresolved incidents per handoff, owner and severity.', labelNames: ['handoff', 'owner', 'severity'], registers });
  const breaches = new Counter({ name: 'handoff_sla_breaches_total', help: 'Incidents past their exception SLA plus completion-SLA stalls, per handoff.', labelNames: ['handoff'], registers });
  const duplicates = new Counter({ name: 'handoff_duplicates_suppressed_total', help: 'Claims answered duplicate or in_progress: work that did not run twice.', labelNames: ['handoff'], registers });
  const rework = new Counter({ name: 'handoff_rework_hours_saved_total', help: "Duplicates suppressed x the handoff's reworkMinutes / 60.", labelNames: ['handoff'], registers });
  const lastSuccess = new Gauge({ name: 'handoff_collector_last_success_timestamp_seconds', help: 'When the collector last read n8n completely (0: never).', registers });
  const collectorErrors = new Counter({ name: 'handoff_collector_errors_total', help: 'Collector polls that failed (n8n down, bad answer).', registers });

  const fill = (snap: AggregateSnapshot) => {
    const contract = sources.contracts.current();
    const known = contract.handoffs.map((h) => h.id);

    claims.reset();
    duplicates.reset();
    rework.reset();
    const suppressed = new Map<string, number>();
    for (const c of snap.claims) {
      claims.inc({ handoff: c.handoff, decision: c.decision }, c.count);
      if (SUPPRESSED.has(c.decision)) suppressed.set(c.handoff, (suppressed.get(c.handoff) ?? 0) + c.count);
    }
    for (const id of known) if (!suppressed.has(id)) suppressed.set(id, 0);
    for (const [handoff, n] of suppressed) {
      duplicates.inc({ handoff }, n);
      const minutes = sources.contracts.handoff(handoff)?.reworkMinutes ?? DEFAULT_REWORK_MINUTES;
      rework.inc({ handoff }, (n * minutes) / 60);
    }

    executions.reset();
    for (const e of snap.executions) executions.inc({ handoff: e.handoff, status: e.status }, e.count);

    ratio.reset();
    for (const id of known) for (const w of WINDOWS) ratio.set({ handoff: id, window: w.span }, Number.NaN);
    for (const w of snap.windows) ratio.set({ handoff: w.handoff, window: w.span }, w.runs > 0 ? w.failed / w.runs : Number.NaN);

    detection.set(snap.histograms.filter((h) => h.metric === 'time_to_detection'));
    recovery.set(snap.histograms.filter((h) => h.metric === 'time_to_recovery'));

    stalled.reset();
    for (const id of known) for (const kind of STALL_KINDS) stalled.set({ handoff: id, kind }, 0);
    for (const [handoff, kinds] of sources.stalls()) for (const [kind, n] of kinds) stalled.set({ handoff, kind }, n);

    incidentsOpen.reset();
    for (const i of snap.incidentsOpen) incidentsOpen.set({ handoff: i.handoff, owner: i.owner, severity: i.severity }, i.count);

    breaches.reset();
    for (const id of known) breaches.inc({ handoff: id }, 0);
    for (const b of snap.slaBreaches) breaches.inc({ handoff: b.handoff }, b.count);

    const status = sources.collector?.();
    lastSuccess.set(status?.lastSuccessAt ? status.lastSuccessAt / 1000 : 0);
    collectorErrors.reset();
    collectorErrors.inc(status?.errors ?? 0);
  };

  let inflight: Promise<string> | undefined;
  return {
    registry,
    contentType: registry.contentType,
    scrape() {
      inflight ??= (async () => {
        fill(await sources.aggregates.snapshot());
        return registry.metrics();
      })().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
