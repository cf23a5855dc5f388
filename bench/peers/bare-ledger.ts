/**
 * The floor the ledger is compared to: express + better-sqlite3 with one INSERT … ON CONFLICT DO
 * NOTHING per key in one transaction — no validation, no decision, no lease, no counters.
 * Whatever the real ledger costs beyond this is the price of its semantics.
 */
import Database from 'better-sqlite3';
import express from 'express';
import type { AddressInfo } from 'net';

const db = new Database(process.env.BARE_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS claims (handoff TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (handoff, key)) WITHOUT ROWID');
const insert = db.prepare('INSERT INTO claims (handoff, key) VALUES (?, ?) ON CONFLICT DO NOTHING');
const claimAll = db.transaction((handoff: string, items: { key: string }[]) =>
  items.map((item) => ({ key: item.key, decision: insert.run(handoff, item.key).changes ? 'new' : 'duplicate' })),
);

const app = express();
app.use(express.json({ limit: '32mb' }));
app.post('/api/v1/claims', (req, res) => {
  res.json({ results: claimAll(req.body.handoff, req.body.items) });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
