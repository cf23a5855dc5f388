/**
 * Ledger claims per second over real HTTP on SQLite, batches of 1, 100 and 10,000 keys, beside the
 * floor (bare express + better-sqlite3, bench/peers/bare-ledger.ts) measured in the same run.
 * Targets (design.md): ≥ 100,000 claims/s for a 10,000-key batch; single claim round trip p50 ≤ 2 ms.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { fmt, percentile, report } from './lib/report';
import { startChild, type ChildServer } from './lib/servers';

const TOKEN = 'bench-token-0123456789abcdef';
const REPO = join(__dirname, '..');

interface Measure {
  claimsPerSecond: number;
  p50: number;
  p95: number;
}

async function measure(url: string, batch: number, requests: number, prefix: string): Promise<Measure> {
  const latencies: number[] = [];
  // Warm-up: JIT, statement caches, keep-alive socket.
  for (let i = 0; i < 5; i++) await claim(url, `${prefix}-warm-${i}`, Math.min(batch, 100));
  const started = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    const t0 = process.hrtime.bigint();
    await claim(url, `${prefix}-${r}`, batch);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { claimsPerSecond: (batch * requests) / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function claim(url: string, prefix: string, batch: number): Promise<void> {
  const items = Array.from({ length: batch }, (_, i) => ({ key: `${prefix}-${i}` }));
  const res = await fetch(`${url}/api/v1/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ handoff: 'bench', items }),
  });
  if (res.status !== 200) throw new Error(`claim failed: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { results: unknown[] };
  if (body.results.length !== batch) throw new Error('wrong number of results');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-ledger-'));
  const servers: ChildServer[] = [];
  writeFileSync(
    join(dir, 'handoffs.yaml'),
    'systems: { crm: { name: CRM } }\nhandoffs:\n  - { id: bench, source: crm, targets: [crm], owner: { name: Bench } }\n',
  );
  try {
    const monitor = await startChild(process.execPath, [join(REPO, 'monitor', 'bin', 'handoff-monitor.js'), 'serve'], {
      HANDOFF_MONITOR_TOKEN: TOKEN,
      HANDOFF_MONITOR_PORT: '0',
      HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
      HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
      HANDOFF_LOG_LEVEL: 'info',
    }, /"url":"(http[^"]+)"|LISTENING (\S+)/);
    servers.push(monitor);
    const bare = await startChild(process.execPath, [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'peers', 'bare-ledger.ts')], {
      BARE_DB: join(dir, 'bare.db'),
    });
    servers.push(bare);

    const plan = [
      { batch: 10_000, requests: 20 },
      { batch: 100, requests: 500 },
      { batch: 1, requests: 3_000 },
    ];
    const rows = [];
    for (const { batch, requests } of plan) {
      const ours = await measure(monitor.url, batch, requests, `ours-${batch}`);
      const floor = await measure(bare.url, batch, requests, `bare-${batch}`);
      rows.push({
        figure: `ledger claims/s, batch of ${fmt.int(batch)} (SQLite, HTTP)`,
        value: fmt.perSecond(ours.claimsPerSecond),
        compare: `bare express+better-sqlite3: ${fmt.perSecond(floor.claimsPerSecond)}${batch === 10_000 ? '; target ≥ 100,000/s' : ''}`,
        meets: batch === 10_000 ? ours.claimsPerSecond >= 100_000 : undefined,
      });
      if (batch === 1) {
        rows.push({
          figure: 'single claim round trip p50 / p95',
          value: `${fmt.ms(ours.p50)} / ${fmt.ms(ours.p95)}`,
          compare: `bare: ${fmt.ms(floor.p50)} / ${fmt.ms(floor.p95)}; target p50 ≤ 2 ms`,
          meets: ours.p50 <= 2,
        });
      }
    }
    report('Ledger (Idempotency Gate backend)', rows, ['client and servers share the 2-core machine; requests are sequential over one keep-alive connection']);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
