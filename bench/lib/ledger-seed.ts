/**
 * A ledger that has been in use for a while, written straight into the monitor's own schema (created
 * by its migrations) with SQL, so ten million keys take seconds, not the hours real claims would.
 *
 * The shape follows the shipped kickoff: keys like HubSpot deal ids (`deal-100000123000`), a 64-hex
 * fingerprint, an n8n execution and workflow id, and a realistic mix of states — one in 10,000 a claim in flight, of the rest
 * 94 % completed within retention and 6 % released with a reason. Seeded keys are multiples
 * of 1,000 above KEY_BASE, in the primary key's order (so the insert appends); fresh keys for the
 * measurements fall between them at random (`freshKey`), so each claim lands on a random page of the
 * tree, as a new deal id would among a year of old ones, and is never a key already there.
 */
import type { Client } from 'pg';
import { Worker } from 'worker_threads';

export const SEED_HANDOFF = 'sales-to-delivery-kickoff';
const KEY_BASE = 100_000_000_000;
const KEY_STEP = 1_000;
const DAY = 86_400_000;

/** A key the seed never wrote: between seeded key `slot` and the next one. */
export function freshKey(slot: number, offset: number): string {
  return `deal-${KEY_BASE + slot * KEY_STEP + 1 + (offset % (KEY_STEP - 1))}`;
}

/**
 * The column expressions for seeded row `i` (an integer column named `i`), the same text for SQLite
 * and Postgres: printf/format and the arithmetic are spelled per dialect by `hex64` and `div`.
 */
function columns(now: number, hex64: (i: string) => string, div: (a: string, b: number) => string) {
  // Spread over the last 30 days (inside the default 90-day retention, so nothing here is purgeable).
  const at = `(${now - 30 * DAY} + ${div(`i * ${30 * DAY}`, 10_000_000)})`;
  // One row in 10,000 is a claim in flight (claimed a minute ago, lease live); of the rest 94 % were
  // completed and 6 % released. Old claims nobody settled would be stalls, incidents, not ledger rows.
  const claimed = 'i % 10000 = 0';
  const completed = `NOT (${claimed}) AND i % 100 < 94`;
  const released = `NOT (${claimed}) AND i % 100 >= 94`;
  return `
    '${SEED_HANDOFF}',
    'deal-' || (${KEY_BASE} + i * ${KEY_STEP}),
    CASE WHEN ${claimed} THEN 'claimed' WHEN ${completed} THEN 'completed' ELSE 'released' END,
    CASE WHEN i % 17 = 0 THEN 2 ELSE 1 END,
    ${hex64('i')},
    CASE WHEN ${claimed} THEN ${now - 60_000} ELSE ${at} END,
    CASE WHEN ${claimed} THEN ${now + DAY} ELSE ${at} + 600000 END,
    CASE WHEN ${completed} THEN ${at} + 900 END,
    CASE WHEN ${released} THEN ${at} + 700 END,
    '' || (1000000 + ${div('i', 1)}),
    'kPq3vX9sYt0LmN2a',
    CASE WHEN ${completed} THEN 'project and folder created and read back'
         WHEN ${released} THEN 'Create project: HTTP 503 from the taskboard after 5 attempts' END`;
}

const INSERT = `INSERT INTO claims (handoff, key, state, attempt, fingerprint, claimed_at, lease_expires_at,
  completed_at, released_at, execution_id, workflow_id, reason)`;

/** What the worker below runs on the SQLite file: journal off (a failed seed is thrown away), indexes rebuilt after. */
const SQLITE_SEEDER = `
const { parentPort, workerData } = require('worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
try {
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Secondary indexes rebuilt after the insert from their own CREATE statements (see seedPostgres).
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claims' AND sql IS NOT NULL").all();
  db.exec('BEGIN');
  for (const ix of indexes) db.exec('DROP INDEX ' + ix.name);
  db.exec(workerData.insert);
  for (const ix of indexes) db.exec(ix.sql);
  db.exec('COMMIT');
  db.exec('ANALYZE');
  // Back to the monitor's own journal, as it would find the file.
  db.pragma('journal_mode = WAL');
} finally {
  db.close();
}
parentPort.postMessage('done');
`;

/**
 * SQLite: rows (from, to] appended in one transaction, in a worker thread (better-sqlite3 is
 * synchronous), so a Postgres seed can run beside it on the other core.
 */
export function seedSqlite(file: string, from: number, to: number, now: number): Promise<void> {
  const hex = (i: string) => `printf('%016x%016x%016x%016x', ${i} * 2654435761, ${i} * 40503, ${i} * 2246822519, ${i} * 3266489917)`;
  const insert = `WITH RECURSIVE n(i) AS (SELECT ${from + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
    ${INSERT} SELECT ${columns(now, hex, (a, b) => `(${a}) / ${b}`)} FROM n`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(SQLITE_SEEDER, { eval: true, workerData: { file, insert, module: require.resolve('better-sqlite3') } });
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the SQLite seeder exited with ${code}`))));
  });
}

/**
 * Postgres: rows (from, to] in one INSERT … SELECT from generate_series. The secondary indexes
 * and the primary key are dropped first and rebuilt after from their own definitions (pg_get_indexdef), exactly as the
 * migrations made them: one sorted build is several times faster than ten million index inserts.
 */
export async function seedPostgres(client: Client, from: number, to: number, now: number): Promise<void> {
  const hex = (i: string) =>
    `lpad(to_hex((${i}::bigint * 2654435761) % 9007199254740991), 16, '0') || lpad(to_hex(${i}::bigint * 40503), 16, '0') ||
     lpad(to_hex((${i}::bigint * 2246822519) % 9007199254740991), 16, '0') || lpad(to_hex((${i}::bigint * 3266489917) % 9007199254740991), 16, '0')`;
  await client.query('SET synchronous_commit = off');
  await client.query("SET maintenance_work_mem = '512MB'");
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = 'claims'::regclass AND NOT x.indisprimary`,
  );
  const { rows: keys } = await client.query<{ name: string; def: string }>(
    "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'claims'::regclass AND contype = 'p'",
  );
  await client.query('BEGIN');
  try {
    for (const ix of indexes) await client.query(`DROP INDEX ${ix.name}`);
    for (const k of keys) await client.query(`ALTER TABLE claims DROP CONSTRAINT ${k.name}`);
    await client.query(
      `${INSERT} SELECT ${columns(now, hex, (a, b) => `((${a})::bigint / ${b})`)} FROM generate_series(${from + 1}::bigint, ${to}::bigint) AS i`,
    );
    for (const k of keys) await client.query(`ALTER TABLE claims ADD CONSTRAINT ${k.name} ${k.def}`);
    for (const ix of indexes) await client.query(ix.def);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  // Statistics a long-running ledger has (autovacuum may be off on the bench's server).
  await client.query('ANALYZE claims');
}
