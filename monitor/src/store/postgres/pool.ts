/**
 * The Postgres connection pool and the one way the store writes: a transaction that is retried when
 * Postgres aborts it to break a deadlock or a serialization conflict between replicas.
 */
import { Pool, types, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';

/** Ten connections serve a monitor's request concurrency; more only add lock waits on hot keys. */
export const DEFAULT_POOL_SIZE = 10;
/** `?pool_max=N` on HANDOFF_MONITOR_DB sizes the pool; it is ours, so it is not passed to Postgres. */
const POOL_PARAM = 'pool_max';

/** Transactions Postgres aborted only because of another one: running them again is safe. */
const RETRYABLE_CODES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_TRANSACTION_TRIES = 5;

const INT8_OID = 20;
/**
 * Times are epoch milliseconds in bigint columns, like the SQLite store's integers; they are far
 * below 2^53, so they come back as numbers and the pure decision code sees the same values.
 */
const storeTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

export interface PostgresTarget {
  connectionString: string;
  poolSize: number;
  /** The URL without its password, for messages a person reads. */
  shown: string;
}

export function parseTarget(location: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new Error('HANDOFF_MONITOR_DB is not a valid postgres:// URL; use postgres://user:password@host:5432/database');
  }
  const raw = url.searchParams.get(POOL_PARAM);
  url.searchParams.delete(POOL_PARAM);
  const poolSize = raw === null ? DEFAULT_POOL_SIZE : Number(raw);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new Error(
      `HANDOFF_MONITOR_DB has ${POOL_PARAM}=${raw}; use a whole number of connections from 1 to 1000 (default ${DEFAULT_POOL_SIZE})`,
    );
  }
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return { connectionString: url.href, poolSize, shown: shown.href };
}

export function createPool(target: PostgresTarget, onError: (err: Error) => void): Pool {
  const pool = new Pool({ connectionString: target.connectionString, max: target.poolSize, types: storeTypes });
  // An idle connection that dies (server restart, DROP DATABASE … FORCE) must not crash the monitor:
  // the pool drops it and the next query opens a new one.
  pool.on('error', onError);
  // pg-pool takes its own 'error' listener off a client while it is checked out, and a connection
  // that dies then (a restart, a failover, pg_terminate_backend) emits 'error' with no listener,
  // which ends the process; so can one whose termination arrives with its start-up answer. Every
  // client keeps a listener of its own: the query in flight fails anyway (a transaction is retried
  // or refused), and the pool drops the dead client when it comes back.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** A statement with a name is parsed once per connection and reused (pg's named prepared statements). */
export type Statement = { name: string; text: string };

export function run<R extends QueryResultRow>(db: Pool | PoolClient, statement: Statement, values: unknown[] = []) {
  const config: QueryConfig = { name: statement.name, text: statement.text, values };
  return db.query<R>(config);
}

/** A write that found the ledger changed under it in a way only a fresh start can handle. */
export class RetryTransaction extends Error {
  readonly code = 'handoff_retry';
}

const isRetryable = (err: unknown) => err instanceof RetryTransaction || RETRYABLE_CODES.has((err as { code?: string })?.code ?? '');

export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr; // the connection is unusable: let the pool replace it
      });
      if (attempt >= MAX_TRANSACTION_TRIES || !isRetryable(err)) throw err;
    } finally {
      client.release(broken);
    }
    // A short random pause lets the transaction that won the lock finish before we try again.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
  }
}
