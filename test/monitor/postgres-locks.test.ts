/**
 * The Postgres store's advisory locks are three different locks. Each id must survive the trip through
 * node-postgres exactly (a JavaScript number above 2^53 is rounded: two 7-byte ids once became one lock),
 * and holding one must not block another.
 */
import { Client } from 'pg';
import { ADVISORY_LOCKS } from '../../monitor/src/store/postgres/locks';
import { POSTGRES_ADMIN_URL } from '../support/stores';

const ids = Object.entries(ADVISORY_LOCKS);

describe('Postgres advisory locks', () => {
  const clients: Client[] = [];
  const connect = async () => {
    const c = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await c.connect();
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
  });

  it.each(ids)('%s is a bigint that reaches Postgres unchanged', async (_name, id) => {
    expect(id).toMatch(/^[1-9][0-9]{0,18}$/);
    const c = await connect();
    const { rows } = await c.query<{ id: string }>('SELECT $1::bigint::text AS id', [id]);
    expect(rows[0].id).toBe(id);
  });

  it('are distinct: holding each leaves the others free', async () => {
    expect(new Set(ids.map(([, id]) => id)).size).toBe(ids.length);
    const holder = await connect();
    const other = await connect();
    for (const [held, heldId] of ids) {
      await holder.query('SELECT pg_advisory_lock($1)', [heldId]);
      try {
        for (const [name, id] of ids) {
          if (name === held) continue;
          const { rows } = await other.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [id]);
          expect({ held, name, free: rows[0].ok }).toEqual({ held, name, free: true });
          await other.query('SELECT pg_advisory_unlock($1)', [id]);
        }
        const { rows } = await other.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [heldId]);
        expect({ held, free: rows[0].ok }).toEqual({ held, free: false });
      } finally {
        await holder.query('SELECT pg_advisory_unlock($1)', [heldId]);
      }
    }
  });
});
