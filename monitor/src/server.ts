/**
 * Starts and stops a monitor: store, contract, HTTP server and housekeeping timers.
 * The CLI calls this; tests call it too (with port 0) to get a real monitor over real HTTP.
 */
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import type { Logger } from 'pino';
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
  /** Stops accepting requests, lets in-flight ones finish, then closes the store. */
  close(): Promise<void>;
}

export async function startMonitor(
  config: MonitorConfig,
  deps: { logger: Logger; now?: () => number; watchContracts?: boolean },
): Promise<RunningMonitor> {
  const { logger } = deps;
  const contracts = createContractStore({ file: config.contracts, required: config.contractsExplicit, logger });
  const store = openStore(config.db, { retentionMs: config.retentionMs });
  if (deps.watchContracts !== false) contracts.watch();

  const app = createApp({ store, contracts, token: config.token, defaultLeaseMs: config.defaultLeaseMs, logger, now: deps.now });
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
    close() {
      closing ??= (async () => {
        clearInterval(purge);
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
