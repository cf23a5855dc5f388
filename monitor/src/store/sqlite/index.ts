import type { MonitorStore } from '../types';
import { createSqliteEvents } from './events';
import { createSqliteIncidents } from './incidents';
import { createSqliteLedger } from './ledger';
import { openSqlite } from './open';

export function createSqliteStore(file: string, opts: { retentionMs: number }): MonitorStore {
  const db = openSqlite(file);
  const ping = db.prepare('SELECT 1');
  return {
    kind: 'sqlite',
    ledger: createSqliteLedger(db, opts),
    events: createSqliteEvents(db),
    incidents: createSqliteIncidents(db),
    async ping() {
      ping.get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
