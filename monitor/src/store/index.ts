/**
 * Picks the store from HANDOFF_MONITOR_DB: a postgres:// URL means Postgres (replicas, queue mode),
 * anything else a SQLite file (the embedded default). Async because Postgres connects and migrates.
 */
import { createPostgresStore } from './postgres';
import { createSqliteStore } from './sqlite';
import type { MonitorStore } from '../domain/store';

/**
 * `readonly` is for readers beside a running monitor (`handoff-monitor report`): a SQLite file is
 * opened read-only and never migrated; Postgres gets an ordinary pool (its migration is a no-op
 * under an advisory lock once the monitor has run).
 */
export const isPostgresLocation = (location: string) => /^postgres(ql)?:\/\//i.test(location);

export async function openStore(
  location: string,
  opts: { retentionMs: number; onConnectionError?: (err: Error) => void; readonly?: boolean },
): Promise<MonitorStore> {
  if (isPostgresLocation(location)) return createPostgresStore(location, opts);
  return createSqliteStore(location, opts);
}

export type { MonitorStore, LedgerStore } from '../domain/store';
