/**
 * The SQLite and Postgres stores hold the same facts: after every migration, the same tables with the
 * same columns (types differ by dialect; names must not). A column added to one migration list and
 * forgotten in the other fails here, not in production on the other store.
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { openTestStore } from '../support/open-store';

/** Bookkeeping that only one dialect needs (Postgres records migrations in a table, SQLite in user_version). */
const DIALECT_ONLY = new Set(['schema_migrations']);

async function sqliteSchema(): Promise<Map<string, string[]>> {
  const s = await openTestStore('sqlite');
  try {
    const db = new Database(s.db.location, { readonly: true });
    try {
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all();
      return new Map(
        tables.map((t) => [
          t.name,
          db
            .prepare<[], { name: string }>(`PRAGMA table_info("${t.name}")`)
            .all()
            .map((c) => c.name)
            .sort(),
        ]),
      );
    } finally {
      db.close();
    }
  } finally {
    await s.close();
  }
}

async function postgresSchema(): Promise<Map<string, string[]>> {
  const s = await openTestStore('postgres');
  const client = new Client({ connectionString: s.db.location });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.table_name, [...(out.get(r.table_name) ?? []), r.column_name].sort());
    return out;
  } finally {
    await client.end();
    await s.close();
  }
}

const withoutDialectOnly = (m: Map<string, string[]>) =>
  Object.fromEntries([...m].filter(([t]) => !DIALECT_ONLY.has(t)).sort(([a], [b]) => a.localeCompare(b)));

describe('store schemas', () => {
  it('SQLite and Postgres have the same tables and columns after all migrations', async () => {
    const [sqlite, postgres] = await Promise.all([sqliteSchema(), postgresSchema()]);
    expect(sqlite.size).toBeGreaterThan(10);
    expect(withoutDialectOnly(postgres)).toEqual(withoutDialectOnly(sqlite));
  });
});
