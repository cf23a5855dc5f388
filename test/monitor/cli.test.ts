import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ClaimRequest, ClaimResponse, HandoffSummary } from '../../protocol/ledger';
import { ensureMonitorBuilt, REPO, runCli, serveCli, type ServingMonitor } from '../support/cli';
import { KICKOFF_CONTRACT } from '../support/monitor';
import { waitFor } from '../support/wait';

const TOKEN = 'test-token-0123456789abcdef';
let dir: string;
const running: ServingMonitor[] = [];

beforeAll(() => ensureMonitorBuilt());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-cli-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  HANDOFF_MONITOR_TOKEN: TOKEN,
  HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
  HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
  ...extra,
});

async function serve(extra: Record<string, string> = {}) {
  const m = await serveCli(env(extra), dir);
  running.push(m);
  return m;
}

/** `T`: the documented response the test expects (protocol/); the body is not checked against it. */
const api = <T>(m: ServingMonitor, path: string, body?: unknown) =>
  fetch(`${m.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as T }));

const claim = (m: ServingMonitor, body: ClaimRequest) => api<ClaimResponse>(m, '/api/v1/claims', body);
const handoffs = (m: ServingMonitor) => api<{ handoffs: HandoffSummary[] }>(m, '/api/v1/handoffs');

describe('handoff-monitor CLI', () => {
  it('--help lists the commands and the configuration variables', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/serve/);
    expect(run.stdout).toMatch(/check/);
    expect(run.stdout).toMatch(/HANDOFF_MONITOR_TOKEN/);
  });

  it('refuses to start with a bad value, naming the variable, and without a token', async () => {
    const bad = await runCli(['serve'], env({ HANDOFF_MONITOR_PORT: 'http' }), dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HANDOFF_MONITOR_PORT \(got "http"\) must be a port number/);
    const noToken = await runCli(['serve'], { HANDOFF_MONITOR_DB: join(dir, 'x.db') }, dir);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/HANDOFF_MONITOR_TOKEN is required/);
  });

  it('check validates the shipped example contract', async () => {
    const run = await runCli(['check'], { HANDOFF_CONTRACTS: join(REPO, 'workflows-templates', 'handoffs.yaml') });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sales-to-delivery-kickoff: owner Dana Ops, completion SLA 15m, exception SLA 2d/);
  });

  it('check fails on a bad contract with the line and field', async () => {
    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT.replace('exceptionSla: 48h', 'exceptionSla: two days'));
    const run = await runCli(['check'], env(), dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 13: handoffs\[0\] \(kickoff\)\.exceptionSla: "two days" is not a duration/);
  });

  it('serve needs nothing but a token: SQLite file and no contract', async () => {
    const m = await serveCli({ HANDOFF_MONITOR_TOKEN: TOKEN }, dir);
    running.push(m);
    expect(m.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await claim(m, { handoff: 'any', items: [{ key: 'k' }] });
    expect(res.body.results[0].decision).toBe('new');
    expect(m.logs()).not.toContain(TOKEN);
  });

  it('SIGHUP reloads the contract and keeps the last good version when the new one is bad', async () => {
    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT);
    const m = await serve();
    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT.replace('owner: { name: Dana Ops', 'owner: { nme: Dana Ops'));
    m.child.kill('SIGHUP');
    await waitFor('the bad contract to be rejected', () => /contract reload rejected/.test(m.logs()), { intervalMs: 50, detail: m.logs });
    expect((await handoffs(m)).body.handoffs[0].owner.name).toBe('Dana Ops');

    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT.replace('Dana Ops', 'Robin Ops'));
    m.child.kill('SIGHUP');
    await waitFor('the good contract to be served', async () => (await handoffs(m)).body.handoffs[0].owner.name === 'Robin Ops', {
      intervalMs: 50,
    });
  });

  it('SIGTERM shuts down gracefully with exit code 0', async () => {
    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT);
    const m = await serve();
    await claim(m, { handoff: 'kickoff', items: [{ key: 'k' }] });
    expect(await m.stop('SIGTERM')).toBe(0);
    expect(m.logs()).toMatch(/handoff monitor stopped/);
  });

  it('two monitor processes on one SQLite file: 50 concurrent claims of one key → exactly one new', async () => {
    writeFileSync(join(dir, 'handoffs.yaml'), KICKOFF_CONTRACT);
    const [a, b] = await Promise.all([serve(), serve()]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => claim(i % 2 ? a : b, { handoff: 'kickoff', items: [{ key: 'shared-key' }] })),
    );
    const decisions = results.map((r) => r.body.results?.[0]?.decision);
    expect(decisions.filter((d) => d === 'new')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'in_progress')).toHaveLength(49);
  });
});
