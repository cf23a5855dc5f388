/**
 * A real Prometheus (Debian's package) scraping two monitor replicas on one Postgres database (issue
 * 18 item 3): only the leader exports the store-wide series, so the sums the shipped rules and Grafana
 * panels take are right — sum(handoff_claims_total) equals the claims made, whichever replica took
 * them — and sum(handoff_leader) is 1. When the leader stops, the other one leads and the sums stay.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { RunningMonitor } from '../../monitor/src';
import { freePort } from '../harness/ports';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { createPostgresDatabase, type TestDatabase } from '../support/stores';
import { waitFor, type WaitOptions } from '../support/wait';

jest.setTimeout(120_000);

const TOKEN = 'prometheus-replicas-token-0123456789';
const OBSERVABILITY = join(__dirname, '..', '..', 'monitor', 'observability');
const RULES = join(OBSERVABILITY, 'prometheus-rules.yml');

let dir: string;
let database: TestDatabase;
const handles: TestMonitor[] = [];
const replicas: RunningMonitor[] = [];
let prometheus: ChildProcess | undefined;
let log = '';
let api: string;

type Sample = { metric: Record<string, string>; value: [number, string] };
async function query(q: string): Promise<Sample[]> {
  try {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
    return res.ok ? ((await res.json()) as { data: { result: Sample[] } }).data.result : [];
  } catch {
    return [];
  }
}
/** The value of a query that yields one number; undefined while it yields nothing. */
async function scalar(q: string): Promise<number | undefined> {
  const [first] = await query(q);
  return first ? Number(first.value[1]) : undefined;
}
/** Prometheus scrapes and evaluates every second: waits on it are measured in scrapes. */
const SCRAPES: WaitOptions = { timeoutMs: 30_000, intervalMs: 200, detail: () => `prometheus log:\n${log.slice(-3_000)}` };

async function claim(replica: RunningMonitor, keys: string[]) {
  const res = await fetch(`${replica.url}/api/v1/claims`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ handoff: 'kickoff', items: keys.map((key) => ({ key })) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { decision: string }[] }).results.map((r) => r.decision);
}

beforeAll(async () => {
  const provision = spawnSync('bash', [join(__dirname, '..', 'harness', 'provision-system.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (provision.status !== 0) throw new Error(`provision-system.sh failed: ${provision.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'handoff-prometheus-replicas-'));
  database = await createPostgresDatabase();
  for (let i = 0; i < 2; i++) {
    const replica = await startTestMonitor({ token: TOKEN, database, deps: { leaderRetryMs: 200 } });
    handles.push(replica);
    replicas.push(replica.monitor);
  }
  expect(replicas.map((r) => r.leader.isLeader())).toEqual([true, false]);

  const port = await freePort();
  api = `http://127.0.0.1:${port}/api/v1`;
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${RULES}"]`,
      'scrape_configs:',
      '  - job_name: handoff-monitor',
      `    authorization: { type: Bearer, credentials_file: "${join(dir, 'token')}" }`,
      `    static_configs: [{ targets: [${replicas.map((r) => `"${new URL(r.url).host}"`).join(', ')}] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr!.on('data', (chunk) => (log += String(chunk)));
  prometheus.stdout!.on('data', (chunk) => (log += String(chunk)));
  await waitFor('both replicas up in Prometheus', async () => (await scalar('count(up{job="handoff-monitor"} == 1)')) === 2, SCRAPES);
}, 600_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await Promise.allSettled(handles.map((h) => h.close()));
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus scraping two replicas', () => {
  const made = { new: 0, duplicate: 0, in_progress: 0 };

  it('sum(handoff_claims_total) equals the claims made over both replicas; one leader; one instance exports the store-wide series', async () => {
    // 40 keys claimed through A, 25 of them again through B (in_progress), 10 completed and claimed again through B (duplicate).
    const keys = Array.from({ length: 40 }, (_, i) => `deal-${i}`);
    for (const d of await claim(replicas[0], keys)) made[d as keyof typeof made]++;
    for (const d of await claim(replicas[1], keys.slice(0, 25))) made[d as keyof typeof made]++;
    const done = await fetch(`${replicas[1].url}/api/v1/claims/complete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ handoff: 'kickoff', keys: keys.slice(30) }),
    });
    expect(done.status).toBe(200);
    for (const d of await claim(replicas[1], keys.slice(30))) made[d as keyof typeof made]++;
    expect(made).toEqual({ new: 40, in_progress: 25, duplicate: 10 });
    const total = 75;

    const summed = await waitFor(
      'sum(handoff_claims_total) to reach the claims made',
      async () => {
        const v = await scalar('sum(handoff_claims_total)');
        return v === total ? v : undefined;
      },
      SCRAPES,
    );
    expect(summed).toBe(total);
    const byDecision = Object.fromEntries(
      (await query('sum by (decision) (handoff_claims_total)')).map((s) => [s.metric.decision, Number(s.value[1])]),
    );
    expect(byDecision).toEqual(made);
    // The Grafana panel's sum and the duplicates it counts.
    expect(await scalar('sum(handoff_duplicates_suppressed_total)')).toBe(35);
    expect(await scalar('sum(handoff_leader)')).toBe(1);
    const exporting = await query('count by (instance) (handoff_claims_total)');
    expect(exporting.map((s) => s.metric.instance)).toEqual([new URL(replicas[0].url).host]);
    // The follower still exports its own process-local series.
    expect(await scalar(`handoff_leader{instance="${new URL(replicas[1].url).host}"}`)).toBe(0);
    process.stdout.write(
      `prometheus over two replicas: sum(handoff_claims_total) = ${summed} for ${total} claims made; sum(handoff_leader) = 1\n`,
    );
  });

  it('the leader stops: the other replica leads, and the sums stay right', async () => {
    await replicas[0].close();
    const leaderHost = new URL(replicas[1].url).host;
    await waitFor(
      'the other replica to lead in Prometheus',
      async () => {
        const leaders = await query('handoff_leader == 1');
        return leaders.length === 1 && leaders[0].metric.instance === leaderHost;
      },
      SCRAPES,
    );
    await waitFor(
      'the claims to be exported by the new leader only',
      async () => {
        const exporting = await query('count by (instance) (handoff_claims_total)');
        return exporting.length === 1 && exporting[0].metric.instance === leaderHost;
      },
      SCRAPES,
    );
    expect(await scalar('sum(handoff_claims_total)')).toBe(75);
    expect(await scalar('sum(handoff_leader)')).toBe(1);
    // The seconds without a leader may make HandoffMonitorNoLeader pending (it waits 2 minutes); it clears again.
    const rules = async () =>
      (
        (await (await fetch(`${api}/rules`)).json()) as { data: { groups: { rules: { name: string; state: string; health: string }[] }[] } }
      ).data.groups.flatMap((g) => g.rules);
    await waitFor(
      'HandoffMonitorNoLeader inactive',
      async () => (await rules()).find((r) => r.name === 'HandoffMonitorNoLeader')?.state === 'inactive',
      SCRAPES,
    );
    const all = await rules();
    expect(all.find((r) => r.name === 'HandoffMonitorNoLeader')).toMatchObject({ state: 'inactive', health: 'ok' });
    expect(all.find((r) => r.name === 'HandoffMonitorMetricsAbsent')).toMatchObject({ state: 'inactive', health: 'ok' });
    // The shipped dashboard sums; nothing in it needs max without(instance).
    const dashboard = readFileSync(join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8');
    expect(dashboard).not.toMatch(/without\s*\(\s*instance\s*\)/);
  });
});
