/**
 * The collector and /metrics at scale (docs/architecture.md "Performance targets"):
 *   - ingest: executions/s the collector reads from an n8n-shaped API (the fake n8n, pages of 250);
 *     target ≥ 5,000/s. The fake runs in this process, so the figure includes serving the pages.
 *   - scrape: GET /metrics p50/p95 on a monitor holding 1,000,000 executions of 1,000 handoffs;
 *     target p95 ≤ 50 ms; and that monitor's RSS, target ≤ 250 MB (n8n main: 0.8–1.4 GB).
 * The 1M rows are seeded straight through the store in 50,000-row transactions; the measured monitor
 * is the built CLI in a separate process, so its RSS is not this script's.
 * Run: npx tsx bench/collector.ts
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { Agent, createServer, get as httpGet } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLogger, loadConfig, openStore, startMonitor } from '../monitor/src';
import type { ExecutionRecord } from '../monitor/src/domain/store';
import { startFakeN8n } from '../test/support/fake-n8n';
import { fmt, percentile, report } from './lib/report';
import { startChild } from './lib/servers';

const TOKEN = 'bench-token-0123456789abcdef';
const REPO = join(__dirname, '..');
const INGEST_RUNS = 50_000;
const INGEST_WORKFLOWS = 100;
/** HANDOFF_BENCH_STORED_RUNS shrinks the seed for a quick look; the figures in RESULTS.md use 1,000,000. */
const STORED_RUNS = Number(process.env.HANDOFF_BENCH_STORED_RUNS) || 1_000_000;
const HANDOFFS = 1_000;
const SEED_BATCH = 50_000;
const SCRAPES = 200;
const DAY = 86_400_000;

function contractYaml(handoffs: number, workflowOf: (i: number) => string): string {
  const lines = ['systems: { crm: { name: CRM }, board: { name: Board } }', 'handoffs:'];
  for (let i = 0; i < handoffs; i++) {
    lines.push(
      `  - { id: h${i}, source: crm, targets: [board], owner: { name: "Owner ${i % 50}" }, completionSla: 15m, reworkMinutes: 45, workflows: ["${workflowOf(i)}"] }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function ingest(dir: string) {
  const n8n = await startFakeN8n({ now: Date.now() });
  const contracts = join(dir, 'ingest.yaml');
  writeFileSync(
    contracts,
    contractYaml(INGEST_WORKFLOWS, (i) => String(1_000 + i)),
  );
  const monitor = await startMonitor(
    loadConfig({
      HANDOFF_MONITOR_TOKEN: TOKEN,
      HANDOFF_MONITOR_PORT: '0',
      HANDOFF_MONITOR_DB: join(dir, 'ingest.db'),
      HANDOFF_CONTRACTS: contracts,
      N8N_BASE_URL: n8n.url,
      N8N_API_KEY: n8n.apiKey,
    }),
    { logger: createLogger('silent'), watchContracts: false, alertIntervalMs: 0, collectorIntervalMs: 0, detectorIntervalMs: 0 },
  );
  try {
    // 1% of runs fail: their data is read to name the node, and they open incidents, as in production.
    n8n.burst(INGEST_RUNS, (i) => ({ workflowId: String(1_000 + (i % INGEST_WORKFLOWS)), status: i % 100 === 0 ? 'error' : 'success' }));
    const t0 = process.hrtime.bigint();
    const backlog = await monitor.collector!.poll();
    const backlogSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (backlog.stored !== INGEST_RUNS) throw new Error(`stored ${backlog.stored} of ${INGEST_RUNS}`);

    // Steady state: bursts of 2,500 between polls.
    let read = 0;
    const t1 = process.hrtime.bigint();
    for (let round = 0; round < 8; round++) {
      n8n.burst(2_500, (i) => ({ workflowId: String(1_000 + (i % INGEST_WORKFLOWS)) }));
      read += (await monitor.collector!.poll()).read;
    }
    const steadySeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    return { backlogRate: INGEST_RUNS / backlogSeconds, steadyRate: read / steadySeconds, pages: backlog.pages };
  } finally {
    await monitor.close();
    await n8n.close();
  }
}

/**
 * Failure → owner alert (docs/architecture.md target: p95 ≤ poll interval + 2 s): a failed run appears in the
 * fake n8n at a random moment; the timer-driven collector (HANDOFF_POLL_INTERVAL=1s) finds it, opens
 * the incident and the outbox delivers the alert to a local webhook. Each run uses its own workflow,
 * so each opens a new incident (one per failing workflow).
 */
async function detection(dir: string) {
  const SAMPLES = 20;
  const n8n = await startFakeN8n({ now: Date.now() });
  const received = new Map<string, number>();
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const id = /n8n execution (\d+)/.exec(body)?.[1];
      if (id && !received.has(id)) received.set(id, performance.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const contracts = join(dir, 'detection.yaml');
  // Each failure on a handoff of its own: what is measured is how soon a failure reaches an owner who
  // has not heard of it yet. Further failures of the same handoff and kind within the alert group
  // window (HANDOFF_ALERT_GROUP_WINDOW) reach that owner together, in one digest at the window's end.
  writeFileSync(
    contracts,
    contractYaml(SAMPLES, (i) => String(5_000 + i)),
  );
  const monitor = await startMonitor(
    loadConfig({
      HANDOFF_MONITOR_TOKEN: TOKEN,
      HANDOFF_MONITOR_PORT: '0',
      HANDOFF_MONITOR_DB: join(dir, 'detection.db'),
      HANDOFF_CONTRACTS: contracts,
      N8N_BASE_URL: n8n.url,
      N8N_API_KEY: n8n.apiKey,
      HANDOFF_POLL_INTERVAL: '1s',
      HANDOFF_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`,
      HANDOFF_ALERT_FORMAT: 'json',
    }),
    { logger: createLogger('silent'), watchContracts: false },
  );
  try {
    const delays: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1_000));
      n8n.clock.now = Date.now();
      const added = performance.now();
      const run = n8n.add({ workflowId: String(5_000 + i), status: 'error' });
      const deadline = added + 15_000;
      while (!received.has(run.id)) {
        if (performance.now() > deadline) throw new Error(`no alert for execution ${run.id} within 15 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      delays.push(received.get(run.id)! - added);
    }
    delays.sort((a, b) => a - b);
    return { p50: percentile(delays, 50), p95: percentile(delays, 95) };
  } finally {
    await monitor.close();
    await n8n.close();
    await new Promise<void>((r) => sink.close(() => r()));
  }
}

async function seed(db: string) {
  const store = await openStore(db, { retentionMs: 30 * DAY });
  const now = Date.now();
  const t0 = process.hrtime.bigint();
  // Deterministic spread over the last 7 days, 5% failed.
  let x = 12_345;
  const random = () => (x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  for (let start = 0; start < STORED_RUNS; start += SEED_BATCH) {
    const records: ExecutionRecord[] = [];
    for (let i = start; i < start + SEED_BATCH; i++) {
      const startedAt = now - Math.floor(random() * 7 * DAY);
      records.push({
        id: String(i + 1),
        handoff: `h${i % HANDOFFS}`,
        workflowId: String(i % HANDOFFS),
        status: random() < 0.05 ? 'error' : 'success',
        mode: 'webhook',
        startedAt,
        stoppedAt: startedAt + 2_000,
        waitTill: null,
        retryOf: null,
        retrySuccessId: null,
      });
    }
    await store.executions.upsert(records, now);
  }
  for (let h = 0; h < HANDOFFS; h++) {
    const handoff = `h${h}`;
    const keys = Array.from({ length: 20 }, (_, k) => ({ key: `deal-${k}` }));
    await store.ledger.claim({ handoff, leaseMs: 15 * 60_000, items: keys }, now);
    await store.ledger.settle('complete', { handoff, keys: keys.slice(0, 10).map((k) => k.key) }, now);
    await store.ledger.claim({ handoff, leaseMs: 15 * 60_000, items: keys }, now);
    await store.incidents.report(
      {
        handoff,
        dedupKey: 'bench',
        title: 'bench incident',
        severity: 'high',
        owner: { name: `Owner ${h % 50}` },
        ownerSource: 'handoff',
        slaMs: 48 * 3_600_000,
      },
      now,
    );
    await store.aggregates.observe('time_to_detection', handoff, 3 + (h % 100));
    await store.aggregates.observe('time_to_recovery', handoff, 600 + h);
  }
  await store.aggregates.advance(now);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await store.close();
  return seconds;
}

/** Compiles monitor/ into monitor/dist (what `npm run bench` does first anyway); type errors elsewhere do not stop the emit. */
function buildMonitor(): void {
  const tsc = spawnSync(
    process.execPath,
    [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'monitor', 'tsconfig.json')],
    { encoding: 'utf8' },
  );
  if (!existsSync(join(REPO, 'monitor', 'dist', 'monitor', 'src', 'cli.js')))
    throw new Error(`building the monitor failed:\n${tsc.stdout}${tsc.stderr}`);
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function scrape(dir: string) {
  const db = join(dir, 'scrape.db');
  const contracts = join(dir, 'scrape.yaml');
  writeFileSync(
    contracts,
    contractYaml(HANDOFFS, (i) => String(i)),
  );
  const seedSeconds = await seed(db);

  // The measured monitor is the built one (`handoff-monitor serve`, as users run it), in its own process,
  // so the RSS read below is the monitor's alone.
  buildMonitor();
  const flags = process.env.HANDOFF_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HANDOFF_BENCH_PROFILE}`] : [];
  const monitor = await startChild(process.execPath, [...flags, join(REPO, 'monitor', 'bin', 'handoff-monitor.js'), 'serve'], {
    HANDOFF_MONITOR_TOKEN: TOKEN,
    HANDOFF_MONITOR_PORT: '0',
    HANDOFF_MONITOR_DB: db,
    HANDOFF_CONTRACTS: contracts,
    HANDOFF_LOG_LEVEL: 'info',
  });
  try {
    // node:http with keep-alive, like a Prometheus scraper: the figure is the monitor's, not undici's.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const req = httpGet(`${monitor.url}/metrics`, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`/metrics answered ${res.statusCode}: ${text.slice(0, 200)}`));
            else resolve(text);
          });
          res.on('error', reject);
        });
        req.on('error', reject);
      });
    let text = '';
    for (let i = 0; i < 10; i++) text = await get();
    const total = [...text.matchAll(/^handoff_executions_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    if (total !== STORED_RUNS) throw new Error(`the scrape shows ${total} executions, expected ${STORED_RUNS}`);
    const latencies: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      // Past the monitor's 100 ms sharing window, so every timed scrape reads the store and renders afresh.
      await new Promise((r) => setTimeout(r, 120));
      const t0 = process.hrtime.bigint();
      await get();
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    // Ten scrapers at once share one store read.
    await new Promise((r) => setTimeout(r, 120));
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 10 }, get));
    const concurrentMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const memory = rssMb(monitor.child.pid!);
    return {
      seedSeconds,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      concurrentMs,
      lines: text.split('\n').length,
      bytes: text.length,
      ...memory,
    };
  } finally {
    await monitor.stop();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-collector-'));
  try {
    const ing = await ingest(dir);
    const det = await detection(dir);
    const s = await scrape(dir);
    report(
      'collector and /metrics',
      [
        {
          figure: `collector ingest, backlog of ${fmt.int(INGEST_RUNS)} (fake n8n, pages of 250)`,
          value: fmt.perSecond(ing.backlogRate),
          compare: '≥ 5,000/s',
          meets: ing.backlogRate >= 5_000,
        },
        {
          figure: 'collector ingest, bursts of 2,500 between polls',
          value: fmt.perSecond(ing.steadyRate),
          compare: '≥ 5,000/s',
          meets: ing.steadyRate >= 5_000,
        },
        { figure: 'failed run → owner alert p50 (poll interval 1 s, fake n8n, webhook)', value: fmt.ms(det.p50) },
        {
          figure: 'failed run → owner alert p95 (poll interval 1 s, fake n8n, webhook)',
          value: fmt.ms(det.p95),
          compare:
            '≤ poll interval + 2 s = 3,000 ms (the first alert of its group; later failures of a group come in one digest at the end of its window)',
          meets: det.p95 <= 3_000,
        },
        { figure: `/metrics scrape p50, ${fmt.int(STORED_RUNS)} executions, ${fmt.int(HANDOFFS)} handoffs`, value: fmt.ms(s.p50) },
        {
          figure: `/metrics scrape p95, ${fmt.int(STORED_RUNS)} executions, ${fmt.int(HANDOFFS)} handoffs`,
          value: fmt.ms(s.p95),
          compare: '≤ 50 ms',
          meets: s.p95 <= 50,
        },
        { figure: '10 concurrent scrapes, all 10 responses read (one shared store read)', value: fmt.ms(s.concurrentMs) },
        {
          figure: `monitor RSS with ${fmt.int(STORED_RUNS)} executions (after the scrapes)`,
          value: `${s.rss.toFixed(0)} MB`,
          compare: '≤ 250 MB (n8n main 0.8–1.4 GB)',
          meets: s.rss <= 250,
        },
        { figure: 'monitor peak RSS (VmHWM)', value: `${s.peak.toFixed(0)} MB`, compare: '≤ 250 MB', meets: s.peak <= 250 },
      ],
      [
        `seeding ${fmt.int(STORED_RUNS)} executions + claims, incidents and histograms for ${fmt.int(HANDOFFS)} handoffs through the store took ${s.seedSeconds.toFixed(1)} s`,
        `exposition: ${fmt.int(s.lines)} lines, ${fmt.int(s.bytes / 1024)} KiB; the monitor ran its stall detector every 5 s meanwhile`,
        'the measured monitor is the built CLI (node monitor/bin/handoff-monitor.js serve) in its own process',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
