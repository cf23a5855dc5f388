import type { MonitorStore } from '../types';
import { createSqliteAggregates, prepareAggregateWriters } from './aggregates';
import { createSqliteEvents } from './events';
import { createSqliteExecutions } from './executions';
import { createSqliteIncidents } from './incidents';
import { createSqliteLedger } from './ledger';
import { openSqlite } from './open';
import { createSqliteStalls } from './stalls';

export function createSqliteStore(file: string, opts: { retentionMs: number }): MonitorStore {
  const db = openSqlite(file);
  const ping = db.prepare('SELECT 1');
  const aggregateWriters = prepareAggregateWriters(db);
  return {
    kind: 'sqlite',
    ledger: createSqliteLedger(db, opts),
    events: createSqliteEvents(db),
    incidents: createSqliteIncidents(db),
    executions: createSqliteExecutions(db, aggregateWriters),
    aggregates: createSqliteAggregates(db, aggregateWriters),
    stalls: createSqliteStalls(db),
    async ping() {
      ping.get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
