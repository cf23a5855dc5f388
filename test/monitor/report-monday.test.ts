/**
 * `handoff-monitor report monday` beside a running monitor: reads its SQLite file read-only and
 * prints the same six items as the dashboard, as text, Markdown or JSON.
 */
import { ensureMonitorBuilt, runCli } from '../support/cli';
import { startTestMonitor, type TestMonitor } from '../support/monitor';

jest.setTimeout(60_000);

let m: TestMonitor;
beforeAll(async () => {
  ensureMonitorBuilt();
  m = await startTestMonitor();
  await m.post('/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-7' }] });
  await m.post('/api/v1/events', { handoff: 'kickoff', key: 'deal-7', kind: 'verified' });
  await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: ['deal-7'] });
  await m.post('/api/v1/incidents', { handoff: 'kickoff', dedupKey: 'a', title: 'Task board | down *now*', severity: 'critical' });
});
afterAll(() => m?.close());

const env = () => ({ HANDOFF_MONITOR_DB: m.db, HANDOFF_CONTRACTS: m.contracts });

it('prints JSON with the six items, the traced handoff and the high-impact pick while the monitor runs', async () => {
  const out = await runCli(['report', 'monday', '--format', 'json'], env());
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const report = JSON.parse(out.stdout);
  expect(report.items.map((i: { id: string }) => i.id)).toEqual(['red', 'incidents', 'spot_check', 'queues', 'high_impact', 'leadership']);
  expect(report.spotChecks[0]).toMatchObject({ handoff: 'kickoff', key: 'deal-7' });
  expect(report.spotChecks[0].steps.map((s: { kind: string }) => s.kind)).toEqual(['claimed', 'verified', 'completed']);
  expect(report.highImpact.incident.title).toBe('Task board | down *now*');
  expect(report.leadershipUpdate).toMatch(/^Handoffs \d{4}-\d\d-\d\d: 0 of 1 handoffs green, 1 amber, 0 red;/);
});

it('prints text and Markdown, escaping user text in Markdown', async () => {
  const text = await runCli(['report', 'monday'], env());
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('1. [ok] Red on the failed-sync dashboard');
  expect(text.stdout).toContain('Task board | down *now*');
  const md = await runCli(['report', 'monday', '--format', 'markdown'], env());
  expect(md.stdout).toContain('# Monday-morning check');
  expect(md.stdout).toContain('Task board \\| down \\*now\\*');
});

it('names the problem for a bad format or a missing store', async () => {
  const bad = await runCli(['report', 'monday', '--format', 'pdf'], env());
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('use one of text, markdown, json');
  const missing = await runCli(['report', 'monday'], { HANDOFF_MONITOR_DB: `${m.dir}/nope.db`, HANDOFF_CONTRACTS: m.contracts });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('HANDOFF_MONITOR_DB');
});
