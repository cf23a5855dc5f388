import type { MonitorStore } from '../../domain/store';
import { createSqliteAggregates, prepareAggregateWriters } from './aggregates';
import { createSqliteDashboard } from './dashboard';
import { createSqliteEvents } from './events';
import { createSqliteExecutions } from './executions';
import { createSqliteIncidents } from './incidents';
import { createSqliteLedger } from './ledger';
import { openSqlite } from './open';
import { createSqliteOutcomes } from './outcomes';
import { createSqliteRetention } from './retention';
import { createSqliteStalls } from './stalls';
import { createSqliteSessions } from './sessions';

/**
 * `readonly` opens an existing file without migrating or writing (`handoff-monitor report` beside a
 * running monitor): reads work, any write fails with SQLITE_READONLY.
 */
export function createSqliteStore(file: string, opts: { retentionMs: number; readonly?: boolean }): MonitorStore {
  const db = openSqlite(file, { readonly: opts.readonly });
  const ping = db.prepare('SELECT 1');
  let probe: ReturnType<typeof db.prepare> | undefined;
  const aggregateWriters = prepareAggregateWriters(db);
  const incidents = createSqliteIncidents(db);
  return {
    kind: 'sqlite',
    dashboard: createSqliteDashboard(db),
    ledger: createSqliteLedger(db, opts),
    events: createSqliteEvents(db),
    incidents,
    outcomes: createSqliteOutcomes(db, { writers: aggregateWriters, recoverKey: incidents.recoverKey }),
    executions: createSqliteExecutions(db, aggregateWriters),
    aggregates: createSqliteAggregates(db, aggregateWriters),
    retention: createSqliteRetention(db),
    stalls: createSqliteStalls(db),
    sessions: createSqliteSessions(db),
    async ping() {
      ping.get();
    },
    async probeWrite(now) {
      probe ??= db.prepare(
        "INSERT INTO collector_state (name, value) VALUES ('write_probe', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      );
      probe.run(new Date(now).toISOString());
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
