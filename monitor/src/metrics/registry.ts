/**
 * /metrics: every family docs/architecture.md names, on the monitor's own prom-client Registry (never the
 * global one, so tests and a library user can build two). Values come from precomputed aggregates
 * (AggregateStore.snapshot, the detector's stall counts, the collector's status), loaded once per
 * scrape; concurrent scrapes share that one load and its text (pattern: n8n's Prometheus service).
 * Labels are bounded: handoff ids, decisions, statuses, windows, stall kinds, owners, severities —
 * never an idempotency key or an execution id.
 */
import { collectDefaultMetrics, Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { monitorVersion } from '../util/version';
import type { ContractStore } from '../contract/store';
import type { StallKind } from '../domain/stalls';
import type { AggregateSnapshot, AggregateStore } from '../domain/store';
import type { CollectorStatus } from '../domain/collector-status';
import { failedSyncRate, HISTOGRAM_BOUNDS, WINDOWS } from '../domain/metric-definitions';
import { Family, FastRegistry } from './family';
import { StoredHistogram } from './stored-histogram';

/** The contract's default (contract/schema.ts), for handoffs that only the ledger has seen. */
const DEFAULT_REWORK_MINUTES = 30;
/** Claim decisions that stopped a second run of the same work (docs/architecture.md: duplicates suppressed). */
const SUPPRESSED = new Set(['duplicate', 'in_progress']);
/**
 * SQLite answers synchronously, so two scrapes never overlap in time: each would read the store
 * alone. Scrapes arriving within this window of a finished one (an HA pair of Prometheus servers,
 * a dashboard and a scraper) get its text instead. Far below any scrape interval (15 s typical).
 */
const SHARE_MS = 100;

export interface MetricsSources {
  aggregates: AggregateStore;
  contracts: ContractStore;
  stalls(): ReadonlyMap<string, ReadonlyMap<StallKind, number>>;
  /** Undefined when no n8n is configured (the collector is off). */
  collector?: () => CollectorStatus;
  /** Scrapes within this many ms of a finished one get its text (default SHARE_MS; 0 = never). */
  shareMs?: number;
  /**
   * Whether this replica leads (leader/leadership.ts; default: always). Only the leader exports the
   * store-wide series, so that a Prometheus sum over replicas counts each claim and run once.
   */
  leader?: () => boolean;
}

export interface MonitorMetrics {
  registry: Registry;
  contentType: string;
  /** The exposition text; one store read however many scrapes arrive together. */
  scrape(): Promise<string>;
}

export function createMetrics(sources: MetricsSources): MonitorMetrics {
  const registry = new FastRegistry();
  const registers = [registry];
  // Per-handoff families are Families (refilled per scrape, self-rendered); the two collector figures are plain prom-client.
  /**
   * Series read from the shared store (and the leader's collector and detectors): the same on every
   * replica, so only the leader exports them. Every Family is one; process-local metrics are not.
   */
  const storeWide = new Set<string>();
  const family = (name: string, help: string, type: 'counter' | 'gauge', labels: string[]) => {
    const f = new Family(name, help, type, labels);
    storeWide.add(name);
    registry.registerMetric(f as unknown as Metric);
    return f;
  };

  const claims = family('handoff_claims_total', 'Ledger claim decisions per handoff (new, duplicate, in_progress, conflict).', 'counter', [
    'handoff',
    'decision',
  ]);
  const executions = family('handoff_executions_total', 'Finished n8n executions per handoff and final status.', 'counter', [
    'handoff',
    'status',
  ]);
  const ratio = family(
    'handoff_failed_sync_ratio',
    'Handoff pairs (handoff, key) that failed at least once / pairs seen, by window of first sighting (1h, 24h, 7d); a handoff reporting no keys counts each run as one; NaN without either.',
    'gauge',
    ['handoff', 'window'],
  );
  const pairsSeen = family('handoff_pairs_seen', 'Handoff pairs (handoff, key) first seen in the window.', 'gauge', ['handoff', 'window']);
  const pairsFailed = family('handoff_pairs_failed', 'Of the pairs first seen in the window, those that failed at least once.', 'gauge', [
    'handoff',
    'window',
  ]);
  const runRatio = family(
    'handoff_execution_failure_ratio',
    'n8n runs that ended error or crashed / finished runs in the window (1h, 24h, 7d); NaN without runs. A run that routed a failure ends success: see handoff_failed_sync_ratio.',
    'gauge',
    ['handoff', 'window'],
  );
  const detection = new StoredHistogram(
    'handoff_time_to_detection_seconds',
    "A failure's own time (first failed attempt, lease or SLA expiry, the source record for a reconcile miss) to the first incident for it.",
    HISTOGRAM_BOUNDS.time_to_detection,
  );
  const recovery = new StoredHistogram(
    'handoff_time_to_recovery_seconds',
    "A pair's first failure to its completion (or its incident's resolution by hand); keyless incidents opened to resolved.",
    HISTOGRAM_BOUNDS.time_to_recovery,
  );
  registry.registerMetric(detection as unknown as Metric);
  registry.registerMetric(recovery as unknown as Metric);
  storeWide.add(detection.name).add(recovery.name);
  const stalled = family('handoff_stalled', 'Stalls found by the latest detector tick: claim, execution, no_outcome, cadence.', 'gauge', [
    'handoff',
    'kind',
  ]);
  const incidentsOpen = family('handoff_incidents_open', 'Unresolved incidents per handoff, owner and severity.', 'gauge', [
    'handoff',
    'owner',
    'severity',
  ]);
  const breaches = family(
    'handoff_sla_breaches_total',
    'Incidents past their exception SLA plus completion-SLA stalls, per handoff.',
    'counter',
    ['handoff'],
  );
  const duplicates = family(
    'handoff_duplicates_suppressed_total',
    'Claims answered duplicate or in_progress: work that did not run twice.',
    'counter',
    ['handoff'],
  );
  const deadAlerts = family(
    'handoff_alerts_dead',
    'Alerts the webhook refused (dead in the outbox, never retried) for incidents still unresolved: their owners were not told.',
    'gauge',
    ['handoff'],
  );
  const reworkSeconds = family(
    'handoff_rework_saved_seconds_total',
    "Rework that did not happen: duplicates suppressed x the handoff's reworkMinutes, in seconds.",
    'counter',
    ['handoff'],
  );
  const rework = family(
    'handoff_rework_hours_saved_total',
    "DEPRECATED, removed in the next release: use handoff_rework_saved_seconds_total (the same figure in seconds). Duplicates suppressed x the handoff's reworkMinutes / 60.",
    'counter',
    ['handoff'],
  );
  const lastSuccess = new Gauge({
    name: 'handoff_collector_last_success_timestamp_seconds',
    help: 'When the collector last read n8n completely (0: never).',
    registers,
  });
  // This process: what runs (version, Node.js) and prom-client's process and Node.js metrics
  // (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_seconds, …).
  new Gauge({
    name: 'handoff_build_info',
    help: 'The running monitor: its version and the Node.js version that runs it (always 1).',
    labelNames: ['version', 'node'],
    registers,
  }).set({ version: monitorVersion(), node: process.version }, 1);
  collectDefaultMetrics({ register: registry });
  // Gauges prom-client names *_total (promtool flags them); nodejs_active_handles, _requests and
  // _resources carry the same counts by kind.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
  const collectorErrors = new Counter({
    name: 'handoff_collector_errors_total',
    help: 'Collector polls that failed (n8n down, bad answer).',
    registers,
  });
  // The collector runs on the leader only: a follower's figures would be zeros, not news.
  storeWide.add('handoff_collector_last_success_timestamp_seconds').add('handoff_collector_errors_total');
  const leaderGauge = new Gauge({
    name: 'handoff_leader',
    help: '1 on the replica that leads (runs the collector, stall detectors, escalation and the alert outbox, and exports the store-wide series), 0 on the others; always 1 on SQLite.',
    registers,
  });

  /** A follower's text: its process-local metrics only (prom-client's text layout). */
  const localText = async () => {
    const local = registry.getMetricsAsArray().filter((m) => !storeWide.has((m as unknown as { name: string }).name));
    return `${(await Promise.all(local.map((m) => registry.getMetricsAsString(m)))).join('\n\n')}\n`;
  };

  /** (handoff, kind) pairs that were stalled earlier: they drop to 0 instead of vanishing; the rest are not written. */
  const everStalled = new Set<string>();

  const fill = (snap: AggregateSnapshot) => {
    const contract = sources.contracts.current();
    const known = contract.handoffs.map((h) => h.id);

    claims.reset();
    duplicates.reset();
    rework.reset();
    reworkSeconds.reset();
    const suppressed = new Map<string, number>();
    for (const c of snap.claims) {
      claims.add([c.handoff, c.decision], c.count);
      if (SUPPRESSED.has(c.decision)) suppressed.set(c.handoff, (suppressed.get(c.handoff) ?? 0) + c.count);
    }
    for (const id of known) if (!suppressed.has(id)) suppressed.set(id, 0);
    for (const [handoff, n] of suppressed) {
      duplicates.add([handoff], n);
      const minutes = sources.contracts.handoff(handoff)?.reworkMinutes ?? DEFAULT_REWORK_MINUTES;
      rework.add([handoff], (n * minutes) / 60);
      reworkSeconds.add([handoff], n * minutes * 60);
    }

    executions.reset();
    for (const e of snap.executions) executions.add([e.handoff, e.status], e.count);

    // A handoff of the contract without pairs (or runs) in a window shows NaN (no rate), not a reassuring 0.
    ratio.reset();
    pairsSeen.reset();
    pairsFailed.reset();
    runRatio.reset();
    const pairCells = new Map(snap.outcomeWindows.map((w) => [`${w.handoff}\u0000${w.span}`, w]));
    const runCells = new Map(snap.windows.map((w) => [`${w.handoff}\u0000${w.span}`, w]));
    const handoffs = new Set([...known, ...snap.outcomeWindows.map((w) => w.handoff), ...snap.windows.map((w) => w.handoff)]);
    for (const id of handoffs) {
      for (const w of WINDOWS) {
        const pairs = pairCells.get(`${id}\u0000${w.span}`);
        const runs = runCells.get(`${id}\u0000${w.span}`);
        ratio.add([id, w.span], failedSyncRate(pairs, runs).ratio ?? Number.NaN);
        pairsSeen.add([id, w.span], pairs?.seen ?? 0);
        pairsFailed.add([id, w.span], pairs?.failed ?? 0);
        runRatio.add([id, w.span], runs && runs.runs > 0 ? runs.failed / runs.runs : Number.NaN);
      }
    }

    detection.set(snap.histograms.filter((h) => h.metric === 'time_to_detection'));
    recovery.set(snap.histograms.filter((h) => h.metric === 'time_to_recovery'));

    stalled.reset();
    const current = new Map<string, number>();
    for (const [handoff, kinds] of sources.stalls()) for (const [kind, n] of kinds) current.set(`${handoff}\u0000${kind}`, n);
    for (const key of current.keys()) everStalled.add(key);
    for (const key of everStalled) stalled.add(key.split('\u0000'), current.get(key) ?? 0);

    incidentsOpen.reset();
    for (const i of snap.incidentsOpen) incidentsOpen.add([i.handoff, i.owner, i.severity], i.count);

    breaches.reset();
    const breached = new Map(snap.slaBreaches.map((b) => [b.handoff, b.count]));
    for (const id of known) if (!breached.has(id)) breached.set(id, 0);
    for (const [handoff, n] of breached) breaches.add([handoff], n);

    deadAlerts.reset();
    const dead = new Map((snap.deadAlerts ?? []).map((d) => [d.handoff, d.count]));
    for (const id of known) if (!dead.has(id)) dead.set(id, 0);
    for (const [handoff, n] of dead) deadAlerts.add([handoff], n);

    const status = sources.collector?.();
    lastSuccess.set(status?.lastSuccessAt ? status.lastSuccessAt / 1000 : 0);
    collectorErrors.reset();
    collectorErrors.inc(status?.errors ?? 0);
  };

  const shareMs = sources.shareMs ?? SHARE_MS;
  let inflight: Promise<string> | undefined;
  let last: { text: string; at: number } | undefined;
  return {
    registry: registry as Registry,
    contentType: registry.contentType,
    scrape() {
      // Monotonic time, not the injected clock: this is about requests arriving together, not the domain.
      if (last && performance.now() - last.at < shareMs) return Promise.resolve(last.text);
      inflight ??= (async () => {
        const leading = sources.leader?.() ?? true;
        leaderGauge.set(leading ? 1 : 0);
        if (leading) fill(await sources.aggregates.snapshot());
        const text = leading ? await registry.metrics() : await localText();
        last = { text, at: performance.now() };
        return text;
      })().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
