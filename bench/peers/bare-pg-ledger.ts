/**
 * The floor the Postgres ledger is compared to: express + pg with the same statement shape the
 * monitor's Postgres store uses for fresh keys — one INSERT … SELECT FROM json_populate_recordset …
 * ON CONFLICT DO NOTHING RETURNING key per batch, in a transaction — into a table of the same name and
 * key, with no validation, no decision, no lease, no counters, no lock of known keys. Whatever the real
 * ledger costs beyond this is the price of its semantics. BARE_PG_URL: a database the bench created.
 */
import express from 'express';
import type { AddressInfo } from 'net';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.BARE_PG_URL, max: 10 });
const INSERT = {
  name: 'bare-claims-insert',
  text: `INSERT INTO bare_claims (handoff, key)
         SELECT handoff, key FROM json_populate_recordset(NULL::bare_claims, $1::json) ORDER BY key
         ON CONFLICT (handoff, key) DO NOTHING RETURNING key`,
};

async function claimAll(handoff: string, items: { key: string }[]) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ key: string }>({
      ...INSERT,
      values: [JSON.stringify(items.map((i) => ({ handoff, key: i.key })))],
    });
    await client.query('COMMIT');
    const inserted = new Set(rows.map((r) => r.key));
    return items.map((item) => ({ key: item.key, decision: inserted.has(item.key) ? 'new' : 'duplicate' }));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function main() {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bare_claims (handoff text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, PRIMARY KEY (handoff, key))',
  );
  const app = express();
  app.use(express.json({ limit: '32mb' }));
  app.post('/api/v1/claims', (req, res, next) => {
    claimAll(req.body.handoff, req.body.items).then((results) => res.json({ results }), next);
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
