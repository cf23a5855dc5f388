/**
 * What only the Postgres store has: versioned migrations under an advisory lock, the pool size from
 * the URL, clear start-up errors that never show the password, and transactions retried when
 * Postgres aborts them for a deadlock.
 */
import { Client } from 'pg';
import { openStore } from '../../monitor/src/store';
import { POSTGRES_MIGRATIONS } from '../../monitor/src/store/postgres/migrations';
import { inTransaction, parseTarget, DEFAULT_POOL_SIZE, createPool } from '../../monitor/src/store/postgres/pool';
import { createPostgresDatabase, type TestDatabase } from '../support/stores';

const RETENTION = { retentionMs: 86_400_000 };
const latest = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1].version;

async function query<R>(url: string, sql: string): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

describe('Postgres store', () => {
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createPostgresDatabase();
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('six stores opening an empty database at once migrate it exactly once', async () => {
    const db = await fresh();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openStore(db.location, RETENTION)));
    try {
      const applied = await query<{ version: number; name: string }>(
        db.location,
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(applied).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      await Promise.all(stores.map((s) => s.ping()));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    // Reopening finds nothing to do and keeps the data.
    const again = await openStore(db.location, RETENTION);
    await again.ledger.claim({ handoff: 'h', leaseMs: 1_000, items: [{ key: 'k' }] }, 0);
    await again.close();
    const reopened = await openStore(db.location, RETENTION);
    expect((await reopened.ledger.claim({ handoff: 'h', leaseMs: 1_000, items: [{ key: 'k' }] }, 1))[0].decision).toBe('in_progress');
    await reopened.close();
  });

  it('refuses a database migrated by a newer monitor, naming both versions and the fix', async () => {
    const db = await fresh();
    await (await openStore(db.location, RETENTION)).close();
    await query(db.location, `INSERT INTO schema_migrations (version, name) VALUES (${latest + 1}, 'from the future')`);
    await expect(openStore(db.location, RETENTION)).rejects.toThrow(
      new RegExp(
        `schema version ${latest + 1}, newer than this monitor knows \\(${latest}\\); upgrade handoff-monitor or point HANDOFF_MONITOR_DB elsewhere`,
      ),
    );
  });

  it('says which database it could not open, without the password', async () => {
    const error = await openStore('postgres://monitor:s3cret-pw@127.0.0.1:1/handoff', RETENTION).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^Cannot open the Postgres store at postgres:\/\/monitor:\*\*\*@127\.0\.0\.1:1\/handoff \(HANDOFF_MONITOR_DB\)/,
    );
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it.each([
    ['postgres://u@h/db', DEFAULT_POOL_SIZE, 'postgres://u@h/db'],
    ['postgresql://u:pw@h:5433/db?pool_max=25&sslmode=disable', 25, 'postgresql://u:pw@h:5433/db?sslmode=disable'],
  ])('reads the pool size from %s', (location, poolSize, connectionString) => {
    expect(parseTarget(location)).toMatchObject({ poolSize, connectionString });
  });

  it.each(['postgres://u@h/db?pool_max=0', 'postgres://u@h/db?pool_max=ten', 'postgres://u@h/db?pool_max=2.5'])(
    'refuses a bad pool size: %s',
    (location) => {
      expect(() => parseTarget(location)).toThrow(/pool_max=.*use a whole number of connections from 1 to 1000/);
    },
  );

  it('runs a transaction again when Postgres aborts it to break a deadlock', async () => {
    const db = await fresh();
    await query(db.location, 'CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)');
    const pool = createPool(parseTarget(db.location), () => undefined);
    try {
      let tries = 0;
      // Two transactions lock the same two rows in opposite orders: one is chosen as the deadlock victim.
      const both = await Promise.all(
        [
          [1, 2],
          [2, 1],
        ].map((order) =>
          inTransaction(pool, async (client) => {
            tries++;
            await client.query('UPDATE t SET v = v + 1 WHERE id = $1', [order[0]]);
            await new Promise((r) => setTimeout(r, 200));
            await client.query('UPDATE t SET v = v + 1 WHERE id = $1', [order[1]]);
            return order[0];
          }),
        ),
      );
      expect(both.sort()).toEqual([1, 2]);
      expect(tries).toBe(3); // the victim ran twice
      expect((await pool.query('SELECT v FROM t ORDER BY id')).rows).toEqual([{ v: 2 }, { v: 2 }]);
    } finally {
      await pool.end();
    }
  });
});
