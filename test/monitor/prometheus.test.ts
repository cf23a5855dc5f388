/**
 * The Prometheus side: the alert rules pass `promtool check rules` and their unit tests, the Grafana
 * dashboard only queries families the monitor serves, and a real Prometheus (Debian's package)
 * scrapes the monitor with the bearer token and stores handoff_ series.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../harness/ports';
import { waitFor } from '../support/wait';
import { CollectorHarness, startCollectorHarness, TOKEN } from './collector-helpers';

const OBSERVABILITY = join(__dirname, '..', '..', 'monitor', 'observability');
const RULES = join(OBSERVABILITY, 'prometheus-rules.yml');

beforeAll(() => {
  const provision = spawnSync('bash', [join(__dirname, '..', 'harness', 'provision-system.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (provision.status !== 0) throw new Error(`provision-system.sh failed: ${provision.stderr}`);
}, 600_000);

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(check.status).toBe(0);
  });

  it('fire as their unit tests expect (promtool test rules)', () => {
    const test = spawnSync('promtool', ['test', 'rules', 'prometheus-rules.test.yml'], { cwd: OBSERVABILITY, encoding: 'utf8' });
    expect(`${test.stdout}${test.stderr}`).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('cover a failed sync rate over threshold, stalls, SLA breaches and the collector being down', () => {
    const text = readFileSync(RULES, 'utf8');
    for (const family of [
      'handoff_failed_sync_ratio',
      'handoff_stalled',
      'handoff_sla_breaches_total',
      'handoff_collector_last_success_timestamp_seconds',
    ]) {
      expect(text).toContain(family);
    }
  });
});

describe('with the monitor', () => {
  let h: CollectorHarness;
  beforeAll(async () => {
    h = await startCollectorHarness();
    h.n8n.add({ workflowId: '101', status: 'success' });
    h.n8n.add({ workflowId: '202', status: 'error' });
    await h.poll();
    await h.monitor.stalls.tick();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the Grafana dashboard queries only families the monitor serves', async () => {
    const dashboard = JSON.parse(readFileSync(join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8'));
    const served = new Set([...(await h.metrics()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/\bhandoff_[a-z_]+/g)) {
        expect(served).toContain(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  });

  it('a real Prometheus scrapes /metrics with the bearer token and stores handoff_ series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-prometheus-'));
    const port = await freePort();
    const target = new URL(h.monitor.url).host;
    writeFileSync(join(dir, 'token'), TOKEN);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ["${RULES}"]`,
        'scrape_configs:',
        '  - job_name: handoff-monitor',
        `    authorization: { type: Bearer, credentials_file: "${join(dir, 'token')}" }`,
        `    static_configs: [{ targets: ["${target}"] }]`,
        '',
      ].join('\n'),
    );
    let prometheus: ChildProcess | undefined;
    let log = '';
    try {
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stderr!.on('data', (chunk) => (log += String(chunk)));
      prometheus.stdout!.on('data', (chunk) => (log += String(chunk)));
      const api = `http://127.0.0.1:${port}/api/v1`;
      const query = async (q: string) => {
        try {
          const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
          return res.ok
            ? ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result
            : [];
        } catch {
          return [];
        }
      };
      const series = await waitFor(
        'handoff_executions_total in Prometheus',
        async () => {
          const result = await query('handoff_executions_total');
          return result.length > 0 && result;
        },
        { timeoutMs: 30_000, intervalMs: 200, detail: () => `prometheus log:\n${log.slice(-3_000)}` },
      );
      expect(series.map((s) => [s.metric.handoff, s.metric.status, s.value[1]]).sort()).toEqual([
        ['invoicing', 'error', '1'],
        ['kickoff', 'success', '1'],
      ]);
      const up = await query('up{job="handoff-monitor"}');
      expect(up[0]?.value[1]).toBe('1');
      const rules = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
      const group = rules.data.groups.find((g) => g.name === 'handoff-guard');
      expect(group?.rules.length).toBeGreaterThan(4);
    } finally {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
