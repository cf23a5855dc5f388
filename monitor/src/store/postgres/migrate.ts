/**
 * Brings a Postgres database up to the latest schema. Replicas often start together (a rollout, a
 * compose file), so the whole check-and-apply runs in one transaction under an advisory lock: the
 * second replica waits, then finds nothing left to do.
 */
import type { Pool } from 'pg';
import { MIGRATION_LOCK } from './locks';
import { POSTGRES_MIGRATIONS } from './migrations';

export async function migrate(pool: Pool, migrations = POSTGRES_MIGRATIONS): Promise<number> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Transaction-scoped: released by COMMIT or ROLLBACK, never left behind by a crash.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text    NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ current: number | null }>('SELECT max(version) AS current FROM schema_migrations');
    const current = rows[0]?.current ?? 0;
    if (current > latest) {
      throw new Error(
        `The database is at schema version ${current}, newer than this monitor knows (${latest}); upgrade handoff-monitor or point HANDOFF_MONITOR_DB elsewhere`,
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
