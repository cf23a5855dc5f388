/** The benches' Postgres: where they create and drop their throw-away databases. */
import { Client } from 'pg';

export const ADMIN_URL = process.env.HANDOFF_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on the admin database (CREATE / DROP DATABASE), on a connection of its own. */
export async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
