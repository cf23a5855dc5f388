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
import type { Incident } from '../../nodes/shared/incident-protocol';
import { createApp } from './api/app';
import type { MonitorConfig } from './config/env';
import { ContractStore, createContractStore } from './contract/store';
import { openStore } from './store';
import type { MonitorStore } from './store/types';

/** Completed keys past retention are purged hourly; the claim decision ignores them before that anyway. */
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
  },
): Promise<RunningMonitor> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger });
  const store = await openStore(config.db, {
    retentionMs: config.retentionMs,
    onConnectionError: (err) => logger.warn({ err }, 'a database connection failed while idle; it will be replaced'),
  });
  if (deps.watchContracts !== false) contracts.watch();

  // Alerts are queued in the store whether or not a webhook is set; without one they wait there.
  const send = deps.alertSender ?? (config.alertWebhookUrl ? createWebhookSender({ url: config.alertWebhookUrl, format: config.alertFormat }) : undefined);
  const outbox = createOutboxWorker({
    outbox: store.incidents.outbox,
    send: send ?? (async () => Promise.reject(new Error('no alert webhook configured'))),
    logger,
    now,
    retry: deps.alertRetry,
  });
  const wake = () => {
    if (send) outbox.kick();
  };
  const escalator = createEscalator({ incidents: store.incidents, contracts, now, logger, onEscalated: wake });
  if (!send) logger.warn('HANDOFF_ALERT_WEBHOOK_URL is not set: incident alerts are kept in the outbox, undelivered, until it is');

  const app = createApp({ store, contracts, token: config.token, defaultLeaseMs: config.defaultLeaseMs, logger, now: deps.now, onAlertQueued: wake });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Keep-alive sockets from n8n must not hold shutdown hostage longer than a request takes.
  server.keepAliveTimeout = 5_000;

  const purge = setInterval(() => {
    store.ledger.purgeCompleted((deps.now ?? Date.now)()).catch((err) => logger.error({ err }, 'retention purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  const alertIntervalMs = deps.alertIntervalMs ?? config.pollIntervalMs;
  if (alertIntervalMs > 0) {
    escalator.start(alertIntervalMs);
    // Resumes whatever a previous run left pending (a crash between enqueue and send).
    if (send) outbox.start(alertIntervalMs);
  }

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
    close() {
      closing ??= (async () => {
        clearInterval(purge);
        escalator.stop();
        await outbox.stop();
        contracts.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await store.close();
        logger.info('handoff monitor stopped');
      })();
      return closing;
    },
  };
}
