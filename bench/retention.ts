/**
 * The retention purge beside live claims: a store filled with 1,000,000 rows past retention of each
 * kind the purge deletes (completed claims, events, finished executions, resolved incidents, sent
 * alerts, completed and closed handoff outcomes) is purged by a running monitor while a client claims one key at a time over HTTP, and the
 * longest time a claim waited is printed beside the target: a purge never blocks a claim for more
 * than 50 ms (issue 18). SQLite is the figure with the target (better-sqlite3 is synchronous: a batch
 * holds the monitor's event loop); Postgres is shown beside it (needs HANDOFF_BENCH_POSTGRES_URL,
 * default postgres://postgres@127.0.0.1:5432/test; skipped when unreachable).
 *
 * The monitor runs in this process; the client runs in a worker thread with its own event loop, so
 * what it measures is the monitor's answer time, not the client's. ROWS=<n> changes the row count.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ADMIN_URL, admin } from './lib/postgres-admin';
import { Client } from 'pg';
import { Worker } from 'worker_threads';
import { createLogger, loadConfig, startMonitor, type RunningMonitor } from '../monitor/src';
import { openStore } from '../monitor/src/store';
import type { PurgeReport } from '../monitor/src/retention/purge';
import { fmt, percentile, report, type BenchRow } from './lib/report';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const TARGET_MS = 50;
const TOKEN = 'bench-token-0123456789abcdef';
const DAY = 86_400_000;
/** Claims are measured this long before the purge starts (the baseline) and after it ends. */
const BASELINE_MS = 3_000;
const AFTER_MS = 1_000;

const now = () => performance.timeOrigin + performance.now();

/** Single-key claims one after another, each timed; posts [sentAt, ms, status] triples when told to stop. */
const PROBE = `
const { parentPort, workerData } = require('worker_threads');
let stop = false;
const samples = [];
parentPort.on('message', (m) => { if (m === 'stop') stop = true; });
(async () => {
  const at = () => performance.timeOrigin + performance.now();
  for (let i = 0; !stop; i++) {
    const t0 = at();
    let status = 0;
    try {
      const res = await fetch(workerData.url + '/api/v1/claims', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + workerData.token, 'content-type': 'application/json' },
        body: JSON.stringify({ handoff: 'bench', items: [{ key: 'live-' + i }] }),
      });
      await res.text();
      status = res.status;
    } catch {
      status = -1;
    }
    samples.push([t0, at() - t0, status]);
  }
  parentPort.postMessage(samples);
})();
`;

interface Measured {
  purge: PurgeReport;
  during: number[];
  before: number[];
  failed: number;
}

async function measure(monitor: RunningMonitor): Promise<Measured> {
  const worker = new Worker(PROBE, { eval: true, workerData: { url: monitor.url, token: TOKEN } });
  const samples = new Promise<[number, number, number][]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, BASELINE_MS));
  const start = now();
  const purge = await monitor.retention.purge();
  const end = now();
  await new Promise((r) => setTimeout(r, AFTER_MS));
  worker.postMessage('stop');
  const all = await samples;
  await worker.terminate();
  // A claim waited on the purge when its request was in flight at any moment of it.
  const during = all.filter(([t0, ms]) => t0 <= end && t0 + ms >= start).map(([, ms]) => ms);
  // The first second warms up (JIT, the socket); the rest of the baseline is the monitor at rest.
  const before = all.filter(([t0, ms]) => t0 >= start - BASELINE_MS + 1_000 && t0 + ms < start).map(([, ms]) => ms);
  return { purge, during, before, failed: all.filter(([, , status]) => status !== 200).length };
}

function rows(store: string, m: Measured, target: boolean): BenchRow[] {
  const during = [...m.during].sort((a, b) => a - b);
  const before = [...m.before].sort((a, b) => a - b);
  const longest = during[during.length - 1] ?? Number.NaN;
  const purged = m.purge.deleted;
  const t = m.purge.tables;
  return [
    {
      figure: `longest claim stall during the purge (${store})`,
      value: fmt.ms(longest),
      compare: `${target ? `target ≤ ${TARGET_MS} ms` : 'no target of its own (SQLite holds the target)'}; at rest: longest ${fmt.ms(before[before.length - 1] ?? Number.NaN)}, p50 ${fmt.ms(percentile(before, 50))}`,
      meets: target ? longest <= TARGET_MS && m.failed === 0 : undefined,
    },
    {
      figure: `claims answered during the purge, p50 / p99 (${store})`,
      value: `${fmt.int(during.length)}: ${fmt.ms(percentile(during, 50))} / ${fmt.ms(percentile(during, 99))}`,
      compare: `${m.failed} failed`,
    },
    {
      figure: `rows purged, time, rows/s (${store})`,
      value: `${fmt.int(purged)} in ${(m.purge.ms / 1000).toFixed(1)} s`,
      compare: `${fmt.perSecond(purged / (m.purge.ms / 1000))}; longest batch ${fmt.ms(Math.max(...Object.values(t).map((x) => x.longestBatchMs)))}, ${fmt.int(Object.values(t).reduce((s, x) => s + x.batches, 0))} batches`,
    },
  ];
}

const perTable = (p: PurgeReport) =>
  Object.entries(p.tables)
    .map(
      ([table, t]) =>
        `${table} ${fmt.int(t.deleted)} in ${t.batches} batches (largest ${fmt.int(t.largestBatch)}, longest ${fmt.ms(t.longestBatchMs)})`,
    )
    .join('; ');

const OLD = Date.now() - 200 * DAY;

/** SQLite: the monitor's own schema (migrated by openStore), then 1M rows per table in a few statements. */
async function fillSqlite(file: string) {
  const store = await openStore(file, { retentionMs: 30 * DAY });
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const n = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})`;
  const owner = JSON.stringify({ name: 'Bench' });
  db.exec(`
    ${n} INSERT INTO claims (handoff, key, state, attempt, claimed_at, completed_at)
      SELECT 'bench', 'old-' || i, 'completed', 1, ${OLD} + i, ${OLD} + i FROM n;
    ${n} INSERT INTO events (handoff, key, kind, at)
      SELECT 'bench', 'k-' || (i % 100000), 'validated', ${OLD} + i FROM n;
    -- The outcomes of those completed claims, and as many pairs closed by hand.
    ${n} INSERT INTO handoff_outcomes (handoff, key, first_seen_at, failures, completed_at, attempt, replays)
      SELECT 'bench', 'old-' || i, ${OLD} + i, 0, ${OLD} + i, 1, 0 FROM n;
    ${n} INSERT INTO handoff_outcomes (handoff, key, first_seen_at, failed_at, failure_kind, last_failure_at, last_failure_kind, failures, closed_at, replays)
      SELECT 'bench', 'closed-' || i, ${OLD} + i, ${OLD} + i, 'request_failed', ${OLD} + i, 'request_failed', 1, ${OLD} + i + 1000, 0 FROM n;
    ${n} INSERT INTO executions (id, handoff, workflow_id, status, finished, mode, started_at, stopped_at, seen_at, updated_at)
      SELECT 'x-' || i, 'bench', '101', CASE WHEN i % 20 = 0 THEN 'error' ELSE 'success' END, 1, 'webhook', ${OLD} + i, ${OLD} + i + 500, ${OLD} + i, ${OLD} + i FROM n;
    ${n} INSERT INTO incidents (handoff, dedup_key, kind, title, severity, state, owner, owner_name, owner_source, sla_due_at,
        first_seen_at, last_seen_at, count, resolved_at, resolution)
      SELECT 'bench', 'd-' || i, 'request_failed', 'Bench incident ' || i, 'high', 'resolved', '${owner}', 'Bench', 'handoff', ${OLD} + i + ${DAY},
        ${OLD} + i, ${OLD} + i, 1, ${OLD} + i + 1000, 'resolved by hand' FROM n;
    -- Sent alerts of 1,000 incidents still open (so they are purged as alerts, not with their incidents).
    WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 1000)
    INSERT INTO incidents (handoff, dedup_key, kind, title, severity, state, owner, owner_name, owner_source, sla_due_at, first_seen_at, last_seen_at, count)
      SELECT 'bench', 'open-' || i, 'request_failed', 'Open ' || i, 'high', 'open', '${owner}', 'Bench', 'handoff', ${Date.now() + DAY}, ${OLD}, ${OLD}, 1 FROM m;
    ${n} INSERT INTO alert_outbox (incident_id, kind, idempotency_key, message, state, attempts, created_at, next_attempt_at, sent_at)
      SELECT (SELECT min(id) FROM incidents WHERE state = 'open') + (i % 1000), 'opened', 'a-' || i, '{}', 'sent', 1, ${OLD} + i, ${OLD} + i, ${OLD} + i FROM n;
    INSERT INTO execution_counters (handoff, status, count) VALUES ('bench', 'success', ${ROWS - Math.floor(ROWS / 20)}), ('bench', 'error', ${Math.floor(ROWS / 20)});
    -- Both folds have passed everything: nothing is kept for them.
    INSERT INTO collector_state (name, value) SELECT 'outcome_fold', CAST(max(id) AS TEXT) FROM events WHERE true
      ON CONFLICT (name) DO UPDATE SET value = excluded.value;
    INSERT INTO collector_state (name, value)
      SELECT 'recovery_fold', json_array(max(resolved_at), max(id)) FROM incidents WHERE resolved_at IS NOT NULL AND true
      ON CONFLICT (name) DO UPDATE SET value = excluded.value;
  `);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
}

async function fillPostgres(url: string) {
  const store = await openStore(url, { retentionMs: 30 * DAY });
  await store.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  const owner = JSON.stringify({ name: 'Bench' });
  try {
    await client.query(`
      INSERT INTO claims (handoff, key, state, attempt, claimed_at, completed_at)
        SELECT 'bench', 'old-' || i, 'completed', 1, ${OLD} + i, ${OLD} + i FROM generate_series(1, ${ROWS}) i;
      INSERT INTO events (handoff, key, kind, at)
        SELECT 'bench', 'k-' || (i % 100000), 'validated', ${OLD} + i FROM generate_series(1, ${ROWS}) i;
      INSERT INTO handoff_outcomes (handoff, key, first_seen_at, failures, completed_at, attempt, replays)
        SELECT 'bench', 'old-' || i, ${OLD} + i, 0, ${OLD} + i, 1, 0 FROM generate_series(1, ${ROWS}) i;
      INSERT INTO handoff_outcomes (handoff, key, first_seen_at, failed_at, failure_kind, last_failure_at, last_failure_kind, failures, closed_at, replays)
        SELECT 'bench', 'closed-' || i, ${OLD} + i, ${OLD} + i, 'request_failed', ${OLD} + i, 'request_failed', 1, ${OLD} + i + 1000, 0
        FROM generate_series(1, ${ROWS}) i;
      INSERT INTO executions (id, handoff, workflow_id, status, finished, mode, started_at, stopped_at, seen_at, updated_at)
        SELECT 'x-' || i, 'bench', '101', CASE WHEN i % 20 = 0 THEN 'error' ELSE 'success' END, 1, 'webhook', ${OLD} + i, ${OLD} + i + 500, ${OLD} + i, ${OLD} + i
        FROM generate_series(1, ${ROWS}) i;
      INSERT INTO incidents (handoff, dedup_key, kind, title, severity, state, owner, owner_name, owner_source, sla_due_at,
          first_seen_at, last_seen_at, count, resolved_at, resolution)
        SELECT 'bench', 'd-' || i, 'request_failed', 'Bench incident ' || i, 'high', 'resolved', '${owner}', 'Bench', 'handoff', ${OLD} + i + ${DAY},
          ${OLD} + i, ${OLD} + i, 1, ${OLD} + i + 1000, 'resolved by hand' FROM generate_series(1, ${ROWS}) i;
      INSERT INTO incidents (handoff, dedup_key, kind, title, severity, state, owner, owner_name, owner_source, sla_due_at, first_seen_at, last_seen_at, count)
        SELECT 'bench', 'open-' || i, 'request_failed', 'Open ' || i, 'high', 'open', '${owner}', 'Bench', 'handoff', ${Date.now() + DAY}, ${OLD}, ${OLD}, 1
        FROM generate_series(1, 1000) i;
      INSERT INTO alert_outbox (incident_id, kind, idempotency_key, message, state, attempts, created_at, next_attempt_at, sent_at)
        SELECT (SELECT min(id) FROM incidents WHERE state = 'open') + (i % 1000), 'opened', 'a-' || i, '{}', 'sent', 1, ${OLD} + i, ${OLD} + i, ${OLD} + i
        FROM generate_series(1, ${ROWS}) i;
      INSERT INTO execution_counters (handoff, status, count) VALUES ('bench', 'success', ${ROWS - Math.floor(ROWS / 20)}), ('bench', 'error', ${Math.floor(ROWS / 20)});
      INSERT INTO collector_state (name, value) SELECT 'outcome_fold', max(id)::text FROM events
        ON CONFLICT (name) DO UPDATE SET value = excluded.value;
      INSERT INTO collector_state (name, value)
        SELECT 'recovery_fold', json_build_array(max(resolved_at), max(id))::text FROM incidents WHERE resolved_at IS NOT NULL
        ON CONFLICT (name) DO UPDATE SET value = excluded.value;
    `);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

async function run(db: string): Promise<Measured> {
  const env = { HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_PORT: '0', HANDOFF_MONITOR_DB: db, HANDOFF_LOG_LEVEL: 'warn' };
  const monitor = await startMonitor(loadConfig(env), { logger: createLogger('warn'), watchContracts: false });
  try {
    return await measure(monitor);
  } finally {
    await monitor.close();
  }
}

async function main() {
  const out: BenchRow[] = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-retention-'));
  try {
    const file = join(dir, 'monitor.db');
    let t0 = Date.now();
    await fillSqlite(file);
    process.stdout.write(`SQLite filled with ${fmt.int(ROWS)} rows of each kind in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const sqlite = await run(file);
    out.push(...rows('SQLite', sqlite, true));
    notes.push(`SQLite per table: ${perTable(sqlite.purge)}`);

    const database = `handoff_bench_${randomBytes(4).toString('hex')}`;
    const pgUrl = new URL(ADMIN_URL);
    pgUrl.pathname = `/${database}`;
    let created = false;
    try {
      await admin(`CREATE DATABASE ${database}`);
      created = true;
      t0 = Date.now();
      await fillPostgres(pgUrl.href);
      process.stdout.write(`Postgres filled in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const postgres = await run(pgUrl.href);
      out.push(...rows('Postgres', postgres, false));
      notes.push(`Postgres per table: ${perTable(postgres.purge)}`);
    } catch (err) {
      notes.push(`Postgres skipped: ${(err as Error).message}`);
    } finally {
      if (created) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  notes.push(
    `${fmt.int(ROWS)} rows past retention of each: completed claims, events, finished executions, resolved incidents, sent alerts (of 1,000 open incidents), completed and closed handoff outcomes; the monitor in this process, single-key claims one after another from a worker thread over HTTP`,
    'a claim counts as "during the purge" when its request was in flight at any moment of it; "at rest" is the same client in the 2 s before',
  );
  report('Retention purge beside live claims', out, notes);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
