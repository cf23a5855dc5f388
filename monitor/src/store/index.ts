/** Picks the store from HANDOFF_MONITOR_DB: a file path means SQLite (the embedded default). */
import { createSqliteStore } from './sqlite';
import type { MonitorStore } from './types';

export function openStore(location: string, opts: { retentionMs: number }): MonitorStore {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new Error(
      'HANDOFF_MONITOR_DB is a postgres:// URL, but this build of the monitor has only the SQLite store; use a file path',
    );
  }
  return createSqliteStore(location, opts);
}

export type { MonitorStore, LedgerStore } from './types';
