/**
 * Starts and stops a monitor: store, contract, HTTP server and housekeeping timers.
 * The CLI calls this; tests call it too (with port 0) to get a real monitor over real HTTP.
 */
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import type { Logger } from 'pino';
import { createEscalator } from './alerts/escalation';
import type { AlertSender } from './alerts/sender';
import { createWebhookSender } from './alerts/sender';
import { AlertRetryPolicy, createOutboxWorker } from './alerts/worker';
import type { Incident } from '../../protocol/incidents';
import { createApp } from './app';
import type { MonitorConfig } from './config/env';
import { ContractStore, createContractStore } from './contract/store';
import { openStore } from './store';
import { ensureWritable } from './store/writable';
import type { MonitorStore } from './domain/store';
import { type Collector, createCollector } from './collector/collector';
import { createN8nClient } from './collector/n8n-client';
import { createMetrics, type MonitorMetrics } from './metrics/registry';
import { createFindingReporter } from './stalls/report-incident';
import { createStallDetector, type StallTickResult } from './stalls/tick';
import { createOutcomeFolder } from './outcomes/folder';
import { createReplayService } from './replay/service';
import { createAuditSource } from './audit/source';
import { createRetentionPurger, type PurgeReport } from './retention/purge';
import { createDuties, createSingleLeadership, periodic, type Duty, type Leadership } from './leader/leadership';
import { createPostgresLeadership } from './store/postgres/leader';
import { keepConnectionsAlive } from './util/keep-alive';

/** History past retention is purged hourly, in small batches (retention/purge.ts). */
const PURGE_INTERVAL_MS = 3_600_000;

export interface RunningMonitor {
  url: string;
  port: number;
  store: MonitorStore;
  contracts: ContractStore;
  /** The SLA clock and the alert outbox, for tests and tools that drive them with an injected clock. */
  alerts: {
    /** Escalates incidents past their SLA now (the same sweep the timer runs). */
    escalate(): Promise<Incident[]>;
    /** Delivers due alerts now; resolves with how many were sent. */
    flush(): Promise<number>;
  };
  /** The execution collector; undefined when no n8n is configured. `poll()` runs one poll now. */
  collector?: Pick<Collector, 'poll' | 'status'>;
  /** The stall detectors; `tick()` runs one tick now (also moves the rolling windows). */
  stalls: { tick(): Promise<StallTickResult> };
  /** The outcome fold; `flush()` folds every event written so far. */
  outcomes: { flush(): Promise<number> };
  /** The retention purge; `purge()` runs one now (the timer runs it hourly). */
  retention: { purge(): Promise<PurgeReport> };
  metrics: MonitorMetrics;
  /** Whether this replica leads (runs the collector, detectors, escalation, the outbox): always on SQLite. */
  leader: { mode: Leadership['mode']; isLeader(): boolean };
  /** Stops accepting requests, lets in-flight ones finish, then closes the store. */
  close(): Promise<void>;
}

export async function startMonitor(
  config: MonitorConfig,
  deps: {
    logger: Logger;
    now?: () => number;
    watchContracts?: boolean;
    /** Replaces the webhook delivery (tests); without it, HANDOFF_ALERT_WEBHOOK_URL is used. */
    alertSender?: AlertSender;
    alertRetry?: Partial<AlertRetryPolicy>;
    /** How often the SLA clock and the outbox are checked; default HANDOFF_POLL_INTERVAL. 0 = only on demand. */
    alertIntervalMs?: number;
    /** n8n to collect from, overriding N8N_BASE_URL/N8N_API_KEY (an e2e test's own n8n). */
    n8n?: { baseUrl: string; apiKey: string };
    /** Replaces global fetch for the n8n client (tests). */
    fetch?: typeof fetch;
    /** Collector poll interval; default HANDOFF_POLL_INTERVAL. 0 = only on demand (`collector.poll()`). */
    collectorIntervalMs?: number;
    /** Backoff while n8n is down; default from the poll interval up to 5 minutes. */
    collectorBackoff?: { minTimeoutMs?: number; maxTimeoutMs?: number };
    /** Stall detector tick; default HANDOFF_POLL_INTERVAL. 0 = only on demand (`stalls.tick()`). */
    detectorIntervalMs?: number;
    /** Scrapes this close to the previous one share its text (default 100 ms; tests use 0). */
    metricsShareMs?: number;
    /** How long a replay waits for its pair's outcome (default 2 minutes). */
    replayOutcomeTimeoutMs?: number;
    /** The outcome fold's timer (it also runs after every write); default HANDOFF_POLL_INTERVAL. 0 = only on writes. */
    outcomeIntervalMs?: number;
    /** Postgres: how often a follower tries for the leader lock and the leader checks it (default 1 s). */
    leaderRetryMs?: number;
  },
): Promise<RunningMonitor> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger });
  const store = await openStore(config.db, {
    retentionMs: config.retentionMs,
    onConnectionError: (err) => logger.warn({ err }, 'a database connection failed while idle; it will be replaced'),
  });
  // A read-only file or a full disk opens and reads fine; one committed write before anything
  // else (and before "listening") turns that into a start-up error that names the fix.
  try {
    await ensureWritable(store, config.db, now());
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  if (deps.watchContracts !== false) contracts.watch();

  // Alerts are queued in the store whether or not a webhook is set; without one they wait there.
  const send =
    deps.alertSender ??
    (config.alertWebhookUrl
      ? createWebhookSender({ url: config.alertWebhookUrl, format: config.alertFormat, dashboardUrl: config.dashboardUrl })
      : undefined);
  const outbox = createOutboxWorker({
    outbox: store.incidents.outbox,
    send: send ?? (async () => Promise.reject(new Error('no alert webhook configured'))),
    logger,
    now,
    retry: deps.alertRetry,
    groupWindowMs: config.alertGroupWindowMs,
  });
  // One replica leads (leader/leadership.ts): only it sends alerts. A follower that queued one tells
  // the leader, whose outbox sends it now rather than on its next tick.
  const leadership: Leadership =
    store.kind === 'postgres'
      ? createPostgresLeadership(config.db, { logger: logger.child({ component: 'leader' }), retryMs: deps.leaderRetryMs })
      : createSingleLeadership();
  const wake = () => {
    if (!leadership.isLeader()) leadership.nudge();
    else if (send) outbox.kick();
  };
  const escalator = createEscalator({ incidents: store.incidents, contracts, now, logger, onEscalated: wake });
  if (!send) logger.warn('HANDOFF_ALERT_WEBHOOK_URL is not set: incident alerts are kept in the outbox, undelivered, until it is');

  const folder = createOutcomeFolder({ outcomes: store.outcomes, now, logger: logger.child({ component: 'outcomes' }), onRecovered: wake });
  const findings = createFindingReporter({ incidents: store.incidents, aggregates: store.aggregates, contracts, now, onAlertQueued: wake });
  // A stall or a failed run the monitor found is a failure of the pairs it names: fold it soon.
  const report: typeof findings = async (finding) => {
    const result = await findings(finding);
    folder.kick();
    return result;
  };
  const n8n = deps.n8n ?? config.n8n;
  const n8nClient = n8n ? createN8nClient({ ...n8n, fetch: deps.fetch }) : undefined;
  const collector: Collector | undefined = n8n
    ? createCollector({
        client: n8nClient!,
        store,
        contracts,
        report,
        logger: logger.child({ component: 'collector' }),
        now,
        intervalMs: deps.collectorIntervalMs || config.pollIntervalMs,
        backfillMs: config.collectorBackfillMs,
        backoff: deps.collectorBackoff,
        executionUrl: (workflowId, executionId) => `${n8n.baseUrl}/workflow/${workflowId}/executions/${executionId}`,
      })
    : undefined;
  if (!n8n)
    logger.warn('N8N_BASE_URL/N8N_API_KEY are not set: the execution collector is off (claims, stalls of claims and incidents still work)');
  const detector = createStallDetector({ store, contracts, report, now, logger: logger.child({ component: 'stalls' }) });
  const replays = createReplayService({
    store,
    contracts,
    n8n: n8n && n8nClient ? { client: n8nClient, baseUrl: n8n.baseUrl } : undefined,
    flushOutcomes: () => folder.flush(),
    now,
    logger: logger.child({ component: 'replay' }),
    fetch: deps.fetch,
    outcomeTimeoutMs: deps.replayOutcomeTimeoutMs,
  });
  const metrics = createMetrics({
    aggregates: store.aggregates,
    contracts,
    stalls: detector.counts,
    collector: collector?.status,
    shareMs: deps.metricsShareMs,
    leader: () => leadership.isLeader(),
  });

  const app = createApp({
    store,
    contracts,
    token: config.token,
    defaultLeaseMs: config.defaultLeaseMs,
    logger,
    now: deps.now,
    onAlertQueued: wake,
    metrics,
    metricsPublic: config.metricsPublic,
    trustProxy: config.trustProxy,
    dashboardPublic: config.dashboardPublic,
    n8nBaseUrl: n8n?.baseUrl,
    onWrite: () => folder.kick(),
    replays,
    flushOutcomes: () => folder.flush(),
    audit: n8n && n8nClient ? createAuditSource({ client: n8nClient, contracts, n8nBaseUrl: n8n.baseUrl, now }) : undefined,
  });
  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      // Express hands a listen error to this callback (and only then an argument): without the
      // check a port in use "started" and failed later on server.address() being null.
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(listenError(err, config)) : resolve(s)));
    });
  } catch (err) {
    // Nothing may keep running for a monitor that never listened: the contract watcher, the store.
    contracts.close();
    await store.close().catch(() => undefined);
    throw err;
  }
  // Idle connections stay open longer than any client's own idle timeout (no ECONNRESET when a client
  // reuses one as the server drops it); shutdown still closes them at once (util/keep-alive.ts).
  const connections = keepConnectionsAlive(server);

  const purger = createRetentionPurger({
    store: store.retention,
    policy: { claimsMs: config.retentionMs, ...config.retention },
    now,
    logger: logger.child({ component: 'retention' }),
  });

  // The leader's duties: started when this replica leads, stopped when it stops leading. Any replica
  // still serves the API and the dashboard, folds after its own writes and answers the on-demand calls below.
  const alertIntervalMs = deps.alertIntervalMs ?? config.pollIntervalMs;
  const detectorIntervalMs = deps.detectorIntervalMs ?? config.pollIntervalMs;
  const outcomeIntervalMs = deps.outcomeIntervalMs ?? config.pollIntervalMs;
  const leaderDuties: Duty[] = [];
  if (alertIntervalMs > 0) {
    leaderDuties.push({ name: 'escalation', start: () => escalator.start(alertIntervalMs), stop: () => escalator.stop() });
    // Resumes whatever a previous run (or the previous leader) left pending: a crash between enqueue and send.
    if (send) leaderDuties.push(periodic('alert outbox', alertIntervalMs, () => outbox.kick()));
  }
  if (collector && (deps.collectorIntervalMs ?? config.pollIntervalMs) > 0)
    leaderDuties.push({ name: 'collector', start: () => collector.start(), stop: () => collector.stop() });
  if (detectorIntervalMs > 0)
    leaderDuties.push({ name: 'stall detectors', start: () => detector.start(detectorIntervalMs), stop: () => detector.stop() });
  if (outcomeIntervalMs > 0) leaderDuties.push(periodic('outcome fold', outcomeIntervalMs, () => folder.kick()));
  // One replica purges the store for all: the rows are shared, and on Postgres two purges would only
  // contend for the same rows. On SQLite the one process leads.
  leaderDuties.push({ name: 'retention purge', start: () => purger.start(PURGE_INTERVAL_MS), stop: () => purger.stop() });
  const duties = createDuties(leaderDuties, logger.child({ component: 'leader' }));
  let shuttingDown = false;
  leadership.onChange((lead) => {
    if (!shuttingDown) void duties.set(lead);
  });
  leadership.onNudge(() => {
    if (send) outbox.kick();
  });
  await leadership.start();
  if (!leadership.isLeader()) {
    logger.info('another replica leads: this one serves the API and the dashboard, and takes over when the leader goes');
  }
  // Whatever an earlier run left unfolded (a crash between a write and its fold) is folded now.
  folder.kick();

  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, store: store.kind, db: store.kind === 'sqlite' ? config.db : '(postgres)' }, 'handoff monitor listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    contracts,
    alerts: {
      escalate: () => escalator.sweep(),
      flush: () => (send ? outbox.flush() : Promise.resolve(0)),
    },
    // On demand (tests, tools), the fold follows at once, so what the call wrote is measured when it returns.
    collector: collector && {
      poll: async () => {
        const result = await collector.poll();
        await folder.flush();
        return result;
      },
      status: () => collector.status(),
    },
    stalls: {
      tick: async () => {
        const result = await detector.tick();
        await folder.flush();
        return result;
      },
    },
    outcomes: { flush: () => folder.flush() },
    retention: { purge: () => purger.run() },
    metrics,
    leader: { mode: leadership.mode, isLeader: () => leadership.isLeader() },
    close() {
      closing ??= (async () => {
        // Duties first, the lock last: another replica takes over only once nothing here runs them.
        shuttingDown = true;
        await duties.stop();
        await purger.stop();
        await collector?.stop();
        await detector.stop();
        await folder.stop();
        escalator.stop();
        await outbox.stop();
        await leadership.stop();
        contracts.close();
        await connections.close();
        await store.close();
        logger.info('handoff monitor stopped');
      })();
      return closing;
    },
  };
}

/** A listen failure in words: which address, why, and the variable that changes it. */
export function listenError(err: Error, config: Pick<MonitorConfig, 'host' | 'port'>): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return new Error(
      `Port ${config.port} on ${config.host} is already in use (another handoff-monitor, or another program): stop it, or set HANDOFF_MONITOR_PORT to a free port`,
      { cause: err },
    );
  }
  if (code === 'EACCES') {
    return new Error(
      `Cannot listen on ${where}: ports below 1024 need extra privileges; set HANDOFF_MONITOR_PORT to 1024 or above (default 5680)`,
      { cause: err },
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(
      `Cannot listen on ${where}: that address is not one of this machine's; set HANDOFF_MONITOR_HOST to one of its addresses (127.0.0.1 or 0.0.0.0 for all)`,
      { cause: err },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new Error(
      `Cannot listen on ${where}: the host name does not resolve; set HANDOFF_MONITOR_HOST to an address such as 127.0.0.1`,
      { cause: err },
    );
  }
  return new Error(`Cannot listen on ${where}: ${err.message}`, { cause: err });
}
