/**
 * Ledger claims per second over real HTTP on SQLite, batches of 1, 100 and 10,000 keys, beside the
 * floor (bare express + better-sqlite3, bench/peers/bare-ledger.ts) measured in the same run.
 * Targets (docs/architecture.md): ≥ 100,000 claims/s for a 10,000-key batch; single claim round trip p50 ≤ 2 ms.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { measureClaims } from './lib/claim-load';
import { fmt, report } from './lib/report';
import { startChild, type ChildServer } from './lib/servers';

const TOKEN = 'bench-token-0123456789abcdef';
const REPO = join(__dirname, '..');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-ledger-'));
  const servers: ChildServer[] = [];
  writeFileSync(
    join(dir, 'handoffs.yaml'),
    'systems: { crm: { name: CRM } }\nhandoffs:\n  - { id: bench, source: crm, targets: [crm], owner: { name: Bench } }\n',
  );
  try {
    const monitor = await startChild(
      process.execPath,
      [join(REPO, 'monitor', 'bin', 'handoff-monitor.js'), 'serve'],
      {
        HANDOFF_MONITOR_TOKEN: TOKEN,
        HANDOFF_MONITOR_PORT: '0',
        HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
        HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
        HANDOFF_LOG_LEVEL: 'info',
      },
      /"url":"(http[^"]+)"|LISTENING (\S+)/,
    );
    servers.push(monitor);
    const bare = await startChild(
      process.execPath,
      [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'peers', 'bare-ledger.ts')],
      {
        BARE_DB: join(dir, 'bare.db'),
      },
    );
    servers.push(bare);

    const plan = [
      { batch: 10_000, requests: 20 },
      { batch: 100, requests: 500 },
      { batch: 1, requests: 3_000 },
    ];
    const rows = [];
    for (const { batch, requests } of plan) {
      const ours = await measureClaims(monitor.url, TOKEN, batch, requests, `ours-${batch}`);
      const floor = await measureClaims(bare.url, TOKEN, batch, requests, `bare-${batch}`);
      rows.push({
        figure: `ledger claims/s, batch of ${fmt.int(batch)} (SQLite, HTTP)`,
        value: fmt.perSecond(ours.claimsPerSecond),
        compare: `bare express+better-sqlite3: ${fmt.perSecond(floor.claimsPerSecond)}${batch === 10_000 ? '; target ≥ 100,000/s' : ''}`,
        meets: batch === 10_000 ? ours.claimsPerSecond >= 100_000 : undefined,
      });
      if (batch === 10_000) {
        // Issue 17: what the ledger's semantics (decision, lease, counters, trace) cost over a bare insert.
        const ratio = ours.claimsPerSecond / floor.claimsPerSecond;
        rows.push({
          figure: 'ledger batch of 10,000 against the bare floor (SQLite)',
          value: `${ratio.toFixed(2)}×`,
          compare: 'target ≥ 0.6×',
          meets: ratio >= 0.6,
        });
      }
      if (batch === 1) {
        rows.push({
          figure: 'single claim round trip p50 / p95',
          value: `${fmt.ms(ours.p50)} / ${fmt.ms(ours.p95)}`,
          compare: `bare: ${fmt.ms(floor.p50)} / ${fmt.ms(floor.p95)}; target p50 ≤ 2 ms`,
          meets: ours.p50 <= 2,
        });
      }
    }
    report('Ledger (Idempotency Gate backend)', rows, [
      'client and servers share the 2-core machine; requests are sequential over one keep-alive connection',
    ]);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
