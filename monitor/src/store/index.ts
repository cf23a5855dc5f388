/**
 * Picks the store from HANDOFF_MONITOR_DB: a postgres:// URL means Postgres (replicas, queue mode),
 * anything else a SQLite file (the embedded default). Async because Postgres connects and migrates.
 */
import { createPostgresStore } from './postgres';
import { createSqliteStore } from './sqlite';
import type { MonitorStore } from './types';

export const isPostgresLocation = (location: string) => /^postgres(ql)?:\/\//i.test(location);

export async function openStore(
  location: string,
  opts: { retentionMs: number; onConnectionError?: (err: Error) => void },
): Promise<MonitorStore> {
  if (isPostgresLocation(location)) return createPostgresStore(location, opts);
  return createSqliteStore(location, opts);
}

export type { MonitorStore, LedgerStore } from './types';
