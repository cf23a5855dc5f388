/**
 * The scale-out store: several monitor replicas (and `handoff-monitor report`) on one Postgres
 * database, with claims and incident dedup kept atomic by the database itself.
 */
import type { MonitorStore } from '../../domain/store';
import { createPostgresAggregates } from './aggregates';
import { createPostgresDashboard } from './dashboard';
import { createPostgresEvents } from './events';
import { createPostgresExecutions } from './executions';
import { createPostgresIncidents } from './incidents';
import { createPostgresLedger } from './ledger';
import { migrate } from './migrate';
import { createPool, parseTarget } from './pool';
import { createPostgresOutcomes } from './outcomes';
import { createPostgresRetention } from './retention';
import { createPostgresStalls } from './stalls';
import { createPostgresSessions } from './sessions';

export interface PostgresStoreOptions {
  retentionMs: number;
  /** Told about connections that fail while idle (the pool replaces them). */
  onConnectionError?: (err: Error) => void;
}

export async function createPostgresStore(location: string, opts: PostgresStoreOptions): Promise<MonitorStore> {
  const target = parseTarget(location);
  const pool = createPool(target, opts.onConnectionError ?? (() => undefined));
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot open the Postgres store at ${target.shown} (HANDOFF_MONITOR_DB): ${(err as Error).message}`, { cause: err });
  }
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    dashboard: createPostgresDashboard(pool),
    ledger: createPostgresLedger(pool, opts),
    events: createPostgresEvents(pool),
    incidents: createPostgresIncidents(pool),
    executions: createPostgresExecutions(pool),
    aggregates: createPostgresAggregates(pool),
    retention: createPostgresRetention(pool),
    stalls: createPostgresStalls(pool),
    sessions: createPostgresSessions(pool),
    outcomes: createPostgresOutcomes(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    async probeWrite(now) {
      await pool.query(
        "INSERT INTO collector_state (name, value) VALUES ('write_probe', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [new Date(now).toISOString()],
      );
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
