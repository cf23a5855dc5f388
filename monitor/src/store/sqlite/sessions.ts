/** Dashboard sessions on SQLite (types.ts SessionStore): one row per sign-in, keyed by the id's hash. */
import type { SessionStore, StoredSession } from '../../domain/store';
import type { SqliteDb } from './open';

type Row = { id_hash: string; csrf: string; name: string | null; created_at: number; expires_at: number };

export function createSqliteSessions(db: SqliteDb): SessionStore {
  // Prepared on first use: `handoff-monitor report` opens the file read-only and never signs anyone in.
  let statements: ReturnType<typeof prepare> | undefined;
  const prepare = () => {
    const insert = db.prepare('INSERT INTO dashboard_sessions (id_hash, csrf, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
    const expire = db.prepare('DELETE FROM dashboard_sessions WHERE expires_at <= ?');
    // The newest `max` stay; anything older goes (walks dashboard_sessions_age from the newest end).
    const trim = db.prepare(
      'DELETE FROM dashboard_sessions WHERE created_at < (SELECT created_at FROM dashboard_sessions ORDER BY created_at DESC LIMIT 1 OFFSET ?)',
    );
    const create = db.transaction((s: StoredSession, now: number, max: number) => {
      expire.run(now);
      trim.run(Math.max(0, max - 2)); // keeps the newest max - 1, and the new one makes max
      insert.run(s.idHash, s.csrf, s.name, s.createdAt, s.expiresAt);
    });
    return {
      create,
      get: db.prepare<[string, number], Row>(
        'SELECT id_hash, csrf, name, created_at, expires_at FROM dashboard_sessions WHERE id_hash = ? AND expires_at > ?',
      ),
      destroy: db.prepare('DELETE FROM dashboard_sessions WHERE id_hash = ?'),
    };
  };
  const s = () => (statements ??= prepare());
  return {
    async create(session, { now, max }) {
      s().create.immediate(session, now, max);
    },
    async get(idHash, now) {
      const row = s().get.get(idHash, now);
      return row && { idHash: row.id_hash, csrf: row.csrf, name: row.name, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async destroy(idHash) {
      s().destroy.run(idHash);
    },
  };
}
