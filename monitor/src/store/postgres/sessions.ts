/** Dashboard sessions on Postgres (as sqlite/sessions.ts): every replica signs in against the same rows. */
import type { Pool } from 'pg';
import type { SessionStore } from '../../domain/store';
import { inTransaction, run, type Statement } from './pool';

type Row = { id_hash: string; csrf: string; name: string | null; created_at: number; expires_at: number };

const statement = (name: string, text: string): Statement => ({ name: `handoff-sessions-${name}`, text });
const INSERT = statement(
  'insert',
  'INSERT INTO dashboard_sessions (id_hash, csrf, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
);
const EXPIRE = statement('expire', 'DELETE FROM dashboard_sessions WHERE expires_at <= $1');
const TRIM = statement(
  'trim',
  'DELETE FROM dashboard_sessions WHERE created_at < (SELECT created_at FROM dashboard_sessions ORDER BY created_at DESC LIMIT 1 OFFSET $1)',
);
const GET = statement(
  'get',
  'SELECT id_hash, csrf, name, created_at, expires_at FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > $2',
);
const DESTROY = statement('destroy', 'DELETE FROM dashboard_sessions WHERE id_hash = $1');

export function createPostgresSessions(pool: Pool): SessionStore {
  return {
    async create(session, { now, max }) {
      await inTransaction(pool, async (client) => {
        await run(client, EXPIRE, [now]);
        await run(client, TRIM, [Math.max(0, max - 2)]); // keeps the newest max - 1, and the new one makes max
        await run(client, INSERT, [session.idHash, session.csrf, session.name, session.createdAt, session.expiresAt]);
      });
    },
    async get(idHash, now) {
      const { rows } = await run<Row>(pool, GET, [idHash, now]);
      const row = rows[0];
      return row && { idHash: row.id_hash, csrf: row.csrf, name: row.name, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async destroy(idHash) {
      await run(pool, DESTROY, [idHash]);
    },
  };
}
