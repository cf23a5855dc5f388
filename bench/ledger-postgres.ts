/**
 * Ledger claims per second over real HTTP on Postgres (the scale-out store), batches of 10,000, 100
 * and 1 key, beside the bare pg floor (bench/peers/bare-pg-ledger.ts: express + pg, the same INSERT …
 * ON CONFLICT shape, nothing else) and the same monitor on SQLite, measured in the same run. Target
 * (issue 17): the batch of 10,000 at ≥ 0.6× of the bare floor.
 * Needs the machine's Postgres (HANDOFF_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test);
 * the benchmark creates its own database and drops it.
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ADMIN_URL, admin } from './lib/postgres-admin';
import { measureClaims } from './lib/claim-load';
import { fmt, report } from './lib/report';
import { startChild, type ChildServer } from './lib/servers';

const TOKEN = 'bench-token-0123456789abcdef';
const REPO = join(__dirname, '..');

async function main() {
  // The CLI runs the compiled monitor: build it so the Postgres store in this tree is the one measured.
  spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'monitor/tsconfig.json')], {
    stdio: 'ignore',
  });
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-pg-'));
  const database = `handoff_bench_${randomBytes(4).toString('hex')}`;
  const pgUrl = new URL(ADMIN_URL);
  pgUrl.pathname = `/${database}`;
  writeFileSync(
    join(dir, 'handoffs.yaml'),
    'systems: { crm: { name: CRM } }\nhandoffs:\n  - { id: bench, source: crm, targets: [crm], owner: { name: Bench } }\n',
  );
  const servers: ChildServer[] = [];
  await admin(`CREATE DATABASE ${database}`);
  try {
    const serve = (db: string) =>
      startChild(process.execPath, [join(REPO, 'monitor', 'bin', 'handoff-monitor.js'), 'serve'], {
        HANDOFF_MONITOR_TOKEN: TOKEN,
        HANDOFF_MONITOR_PORT: '0',
        HANDOFF_MONITOR_DB: db,
        HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
        HANDOFF_LOG_LEVEL: 'info',
      });
    const postgres = await serve(pgUrl.href);
    servers.push(postgres);
    const sqlite = await serve(join(dir, 'monitor.db'));
    servers.push(sqlite);
    // The floor uses its own table in the same database, so both write to the same Postgres files.
    const bare = await startChild(
      process.execPath,
      [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'peers', 'bare-pg-ledger.ts')],
      {
        BARE_PG_URL: pgUrl.href,
      },
    );
    servers.push(bare);

    const plan = [
      { batch: 10_000, requests: 10 },
      { batch: 100, requests: 300 },
      { batch: 1, requests: 2_000 },
    ];
    const rows = [];
    for (const { batch, requests } of plan) {
      const pg = await measureClaims(postgres.url, TOKEN, batch, requests, `pg-${batch}`);
      const floor = await measureClaims(bare.url, TOKEN, batch, requests, `bare-${batch}`);
      const lite = await measureClaims(sqlite.url, TOKEN, batch, requests, `lite-${batch}`);
      const ratio = pg.claimsPerSecond / floor.claimsPerSecond;
      rows.push({
        figure: `ledger claims/s, batch of ${fmt.int(batch)} (Postgres, HTTP)`,
        value: fmt.perSecond(pg.claimsPerSecond),
        compare: `bare express+pg: ${fmt.perSecond(floor.claimsPerSecond)} (${ratio.toFixed(2)}×${batch === 10_000 ? '; target ≥ 0.6×' : ''}); same monitor on SQLite: ${fmt.perSecond(lite.claimsPerSecond)}`,
        meets: batch === 10_000 ? ratio >= 0.6 : undefined,
      });
      if (batch === 1) {
        rows.push({
          figure: 'single claim round trip p50 / p95 (Postgres)',
          value: `${fmt.ms(pg.p50)} / ${fmt.ms(pg.p95)}`,
          compare: `bare: ${fmt.ms(floor.p50)} / ${fmt.ms(floor.p95)}; SQLite: ${fmt.ms(lite.p50)} / ${fmt.ms(lite.p95)}`,
        });
      }
    }
    report('Ledger on Postgres (scale-out store)', rows, [
      'every claim is new (fresh keys): one INSERT … ON CONFLICT per batch, then the counters, in one transaction; the floor runs the same INSERT alone',
      'client, monitors and Postgres share the machine; requests are sequential over one keep-alive connection',
    ]);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
