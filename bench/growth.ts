/**
 * The ledger as it grows: claim round trip p50/p95 (one key, the kickoff's claim) and the throughput
 * of batches of 10,000 with 10 thousand, 1 million and 10 million keys already in the ledger, on SQLite
 * and on Postgres, measured through the real monitor over HTTP; and the bytes on disk per million keys.
 * Target (issue 17): p50 at 10 million within 1.5× of p50 at 10 thousand. Each store's ledger is
 * seeded in SQL straight into the schema the monitor's migrations made (bench/lib/ledger-seed.ts),
 * then the monitor is started on it; the seeding time is reported. Draws bench/growth.svg.
 *
 * GROWTH_KEYS=10000,100000 changes the sizes (for a quick run); HANDOFF_BENCH_POSTGRES_URL points at
 * the Postgres (default postgres://postgres@127.0.0.1:5432/test); the bench creates a randomly named
 * database and drops it, and keeps its SQLite file in the OS temp dir.
 */
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ADMIN_URL, admin } from './lib/postgres-admin';
import { serveMonitor } from './lib/servers';
import { Client } from 'pg';
import { openStore } from '../monitor/src/store';
import { growthSvg, type GrowthSeries } from './lib/growth-svg';
import { freshKey, SEED_HANDOFF, seedPostgres, seedSqlite } from './lib/ledger-seed';
import { monitorClient } from './lib/monitor-client';
import { fmt, percentile, report, type BenchRow } from './lib/report';

const TOKEN = 'bench-token-0123456789abcdef';
const SIZES = (process.env.GROWTH_KEYS ?? '10000,1000000,10000000').split(',').map(Number);
const SINGLE_CLAIMS = 1_000;
const BATCH = 10_000;
const BATCHES = 5;
const RATIO_TARGET = 1.5;
const DAY = 86_400_000;

interface Stage {
  keys: number;
  seedMs: number;
  bytes: number;
  p50: number;
  p95: number;
  batchPerSecond: number;
}

/** Random fresh keys, never the same twice in a run and never a seeded one. */
function keyMaker(slots: () => number) {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const key = freshKey(Math.floor(Math.random() * slots()), Math.floor(Math.random() * 1e9));
      if (!used.has(key)) {
        used.add(key);
        return key;
      }
    }
  };
}

const fingerprint = () => randomBytes(32).toString('hex');

/** The kickoff's claim (one deal, with its fingerprint and execution) p50/p95, then batches of 10,000. */
async function measure(url: string, nextKey: () => string): Promise<Omit<Stage, 'keys' | 'seedMs' | 'bytes'>> {
  const client = monitorClient(url, TOKEN, 1);
  const claim = async (keys: string[]) => {
    const reply = await client.post<{ results: { decision: string }[] }>('/claims', {
      handoff: SEED_HANDOFF,
      execution: { id: '4242', workflowId: 'kPq3vX9sYt0LmN2a' },
      items: keys.map((key) => ({ key, fingerprint: fingerprint() })),
    });
    if (reply.status !== 200 || reply.body.results.length !== keys.length || reply.body.results.some((r) => r.decision !== 'new')) {
      throw new Error(`claim answered HTTP ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
    }
    return reply.ms;
  };
  try {
    for (let i = 0; i < 50; i++) await claim([nextKey()]);
    const latencies: number[] = [];
    for (let i = 0; i < SINGLE_CLAIMS; i++) latencies.push(await claim([nextKey()]));
    latencies.sort((a, b) => a - b);
    await claim(Array.from({ length: BATCH }, nextKey));
    let ms = 0;
    for (let i = 0; i < BATCHES; i++) ms += await claim(Array.from({ length: BATCH }, nextKey));
    return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), batchPerSecond: (BATCH * BATCHES) / (ms / 1000) };
  } finally {
    client.close();
  }
}

interface GrowingStore {
  name: string;
  db: string;
  seed(from: number, to: number): Promise<void>;
  bytes(): Promise<number>;
  /** One maker for the whole run: a key claimed at one size must not come back at the next. */
  nextKey: () => string;
  stages: Stage[];
}

/**
 * Grows both stores size by size: both seeded at once (SQLite in a worker thread, Postgres in its own
 * process: the two cores), then each measured alone with its monitor started on it and stopped after.
 */
async function grow(stores: GrowingStore[], contracts: string, seeded: { keys: number }): Promise<void> {
  for (const s of stores) await (await openStore(s.db, { retentionMs: 90 * DAY })).close();
  for (const keys of SIZES) {
    const seedMs = await Promise.all(
      stores.map(async (s) => {
        const t0 = performance.now();
        await s.seed(seeded.keys, keys);
        return performance.now() - t0;
      }),
    );
    // Measured before the claims add their own rows: exactly `keys` rows on disk (plus the empty schema).
    const onDisk = await Promise.all(stores.map((s) => s.bytes()));
    seeded.keys = keys;
    for (const [i, s] of stores.entries()) {
      const monitor = await serveMonitor(TOKEN, s.db, contracts);
      try {
        const m = await measure(monitor.url, s.nextKey);
        s.stages.push({ keys, seedMs: seedMs[i], bytes: onDisk[i], ...m });
        process.stderr.write(
          `growth ${s.name} ${fmt.int(keys)} keys: seeded in ${(seedMs[i] / 1000).toFixed(1)} s, p50 ${fmt.ms(m.p50)}, p95 ${fmt.ms(m.p95)}, batch ${fmt.perSecond(m.batchPerSecond)}\n`,
        );
      } finally {
        await monitor.stop();
      }
    }
  }
}

function rowsFor(store: string, stages: Stage[]): BenchRow[] {
  const first = stages[0];
  const last = stages[stages.length - 1];
  const rows: BenchRow[] = stages.map((s) => ({
    figure: `claim round trip p50 / p95, ${fmt.int(s.keys)} keys (${store})`,
    value: `${fmt.ms(s.p50)} / ${fmt.ms(s.p95)}`,
    compare:
      s === first
        ? 'the baseline'
        : `${(s.p50 / first.p50).toFixed(2)}× the p50 at ${fmt.int(first.keys)}${s === last ? `; target ≤ ${RATIO_TARGET}×` : ''}`,
    meets: s === last && s !== first ? s.p50 <= RATIO_TARGET * first.p50 : undefined,
  }));
  for (const s of stages) {
    rows.push({
      figure: `claims/s, batch of ${fmt.int(BATCH)}, ${fmt.int(s.keys)} keys (${store})`,
      value: fmt.perSecond(s.batchPerSecond),
      compare:
        s === first ? 'the baseline' : `${(s.batchPerSecond / first.batchPerSecond).toFixed(2)}× the figure at ${fmt.int(first.keys)}`,
    });
  }
  rows.push({
    figure: `bytes on disk per million keys (${store})`,
    value: `${(last.bytes / last.keys).toFixed(0)} MB`,
    compare: `${(last.bytes / 2 ** 20).toFixed(0)} MiB at ${fmt.int(last.keys)} keys${store === 'SQLite' ? ' (the whole database file)' : ' (claims with its indexes and TOAST)'}`,
  });
  rows.push({
    figure: `seeding ${fmt.int(last.keys)} keys in SQL (${store})`,
    value: `${(stages.reduce((sum, s) => sum + s.seedMs, 0) / 1000).toFixed(1)} s`,
    compare: 'bench set-up, not a figure of the monitor (both stores are seeded at the same time)',
  });
  return rows;
}

async function main() {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-growth-'));
  const contracts = join(dir, 'handoffs.yaml');
  writeFileSync(
    contracts,
    `systems: { crm: { name: CRM } }\nhandoffs:\n  - { id: ${SEED_HANDOFF}, source: crm, targets: [crm], owner: { name: Bench } }\n`,
  );
  const database = `handoff_bench_${randomBytes(4).toString('hex')}`;
  const pgUrl = new URL(ADMIN_URL);
  pgUrl.pathname = `/${database}`;
  try {
    const file = join(dir, 'monitor.db');
    await admin(`CREATE DATABASE ${database}`);
    const pg = new Client({ connectionString: pgUrl.href });
    await pg.connect();
    const seeded = { keys: 0 };
    const sqliteStore: GrowingStore = {
      name: 'SQLite',
      db: file,
      seed: (from, to) => seedSqlite(file, from, to, Date.now()),
      bytes: async () => statSync(file).size,
      nextKey: keyMaker(() => seeded.keys),
      stages: [],
    };
    const postgresStore: GrowingStore = {
      name: 'Postgres',
      db: pgUrl.href,
      seed: (from, to) => seedPostgres(pg, from, to, Date.now()),
      bytes: async () => Number((await pg.query<{ bytes: string }>("SELECT pg_total_relation_size('claims') AS bytes")).rows[0].bytes),
      nextKey: keyMaker(() => seeded.keys),
      stages: [],
    };
    try {
      await grow([sqliteStore, postgresStore], contracts, seeded);
    } finally {
      await pg.end().catch(() => undefined);
    }
    const sqlite = sqliteStore.stages;
    const postgres = postgresStore.stages;

    const series: GrowthSeries[] = [
      { label: 'SQLite p50', color: '#1f77b4', points: sqlite.map((s) => ({ keys: s.keys, ms: s.p50 })) },
      { label: 'SQLite p95', color: '#1f77b4', dashed: true, points: sqlite.map((s) => ({ keys: s.keys, ms: s.p95 })) },
      { label: 'Postgres p50', color: '#d62728', points: postgres.map((s) => ({ keys: s.keys, ms: s.p50 })) },
      { label: 'Postgres p95', color: '#d62728', dashed: true, points: postgres.map((s) => ({ keys: s.keys, ms: s.p95 })) },
    ];
    writeFileSync(join(__dirname, 'growth.svg'), growthSvg('Claim round trip against ledger size (one key, HTTP)', series));
    report(
      'Ledger growth (claims with millions of keys already in the ledger)',
      [...rowsFor('SQLite', sqlite), ...rowsFor('Postgres', postgres)],
      [
        '![Claim round trip against ledger size, SQLite and Postgres](growth.svg)',
        `seeded in SQL into the monitor's own schema: kickoff-shaped rows (deal-id keys, 64-hex fingerprints, execution ids), one in 10,000 claimed (in flight), of the rest 94 % completed and 6 % released; each claim is a fresh key at a random place among them`,
        `${fmt.int(SINGLE_CLAIMS)} single claims and ${BATCHES} batches of ${fmt.int(BATCH)} per size, sequential over one keep-alive connection; the monitor restarts on each size (cold page cache inside it)`,
        `whole bench ${((performance.now() - started) / 1000).toFixed(0)} s of wall time, seeding included`,
      ],
    );
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
