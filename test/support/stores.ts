/**
 * Each kind of store a test can run against: a SQLite file in a temp folder, or a fresh database on
 * the machine's Postgres (CI shares that server, so every test creates its own database and drops
 * it again — `handoff_test_<random>`). Use with `describe.each(storeKinds)`.
 */
import { randomBytes } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';

export type StoreKind = 'sqlite' | 'postgres';
export const storeKinds: StoreKind[] = ['sqlite', 'postgres'];

/** The server's maintenance database; HANDOFF_TEST_POSTGRES_URL points the tests elsewhere. */
export const POSTGRES_ADMIN_URL = process.env.HANDOFF_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: StoreKind;
  /** What HANDOFF_MONITOR_DB is set to. */
  location: string;
  /** Every value the store holds, as text: proof that a secret never reached it. */
  contents(): Promise<string>;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: Client) => Promise<T>, url = POSTGRES_ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const postgresUrl = (database: string) => {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.href;
};

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `handoff_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const location = postgresUrl(name);
  let dropped: Promise<void> | undefined;
  return {
    kind: 'postgres',
    location,
    contents: () =>
      admin(async (c) => {
        const { rows } = await c.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        );
        let text = '';
        for (const { table_name } of rows) {
          const dump = await c.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
          text += dump.rows.map((r) => r.row).join('\n');
        }
        return text;
      }, location),
    // FORCE ends connections a failed test left open, so the database never outlives the test.
    drop: () => (dropped ??= admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))),
  };
}

/** SQLite: the file lives in `dir`, which the caller removes; contents() reads the file and its WAL. */
export function sqliteDatabase(dir: string): TestDatabase {
  const location = join(dir, 'monitor.db');
  return {
    kind: 'sqlite',
    location,
    async contents() {
      return readdirSync(dir)
        .filter((f) => f.startsWith('monitor.db'))
        .map((f) => readFileSync(join(dir, f)).toString('latin1'))
        .join('\n');
    },
    async drop() {},
  };
}

export function createTestDatabase(kind: StoreKind, dir: string): Promise<TestDatabase> {
  return kind === 'postgres' ? createPostgresDatabase() : Promise.resolve(sqliteDatabase(dir));
}
