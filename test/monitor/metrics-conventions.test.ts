/**
 * /metrics conventions (issue 18 item 5): rework saved in seconds (handoff_rework_saved_seconds_total;
 * the hours family stays one more release, marked deprecated in its HELP), handoff_build_info with the
 * monitor's and Node.js's versions, and prom-client's default process and Node.js metrics on the
 * monitor's own registry; the text stays clean under promtool but for the deprecated hours unit.
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { register as globalRegistry } from 'prom-client';
import { CollectorHarness, startCollectorHarness } from './collector-helpers';
import { sample } from '../support/metrics';

const MONITOR_VERSION = JSON.parse(readFileSync(join(__dirname, '..', '..', 'monitor', 'package.json'), 'utf8')).version as string;

describe('/metrics conventions', () => {
  let h: CollectorHarness;
  beforeAll(async () => {
    h = await startCollectorHarness({ deps: { metricsShareMs: 0 } });
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-1' }, { key: 'deal-2' }] });
    await h.call('POST', '/api/v1/claims/complete', { handoff: 'kickoff', keys: ['deal-1'] });
    // deal-1 completed → duplicate; deal-2 leased → in_progress: 2 suppressed × 45 minutes.
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', items: [{ key: 'deal-1' }, { key: 'deal-2' }] });
  });
  afterAll(() => h?.stop());

  it('counts rework saved in seconds, and keeps the hours family one release, marked deprecated', async () => {
    const text = await h.metrics();
    expect(text).toContain('# TYPE handoff_rework_saved_seconds_total counter');
    expect(sample(text, 'handoff_rework_saved_seconds_total{handoff="kickoff"}')).toBe(2 * 45 * 60);
    expect(sample(text, 'handoff_rework_saved_seconds_total{handoff="invoicing"}')).toBe(0);
    expect(sample(text, 'handoff_rework_hours_saved_total{handoff="kickoff"}')).toBe(1.5);
    expect(text).toMatch(
      /^# HELP handoff_rework_hours_saved_total DEPRECATED, removed in the next release: use handoff_rework_saved_seconds_total/m,
    );
  });

  it('has handoff_build_info with the version and the Node.js version', async () => {
    const text = await h.metrics();
    expect(text).toContain('# TYPE handoff_build_info gauge');
    expect(sample(text, `handoff_build_info{version="${MONITOR_VERSION}",node="${process.version}"}`)).toBe(1);
  });

  it("has prom-client's default process and Node.js metrics, on the monitor's registry only", async () => {
    const text = await h.metrics();
    for (const family of [
      'process_cpu_user_seconds_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(await globalRegistry.metrics()).not.toContain('handoff_');
  });

  it('is clean under promtool check metrics but for the deprecated hours unit', async () => {
    const text = await h.metrics();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = `${check.stdout}${check.stderr}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(findings).toEqual(['handoff_rework_hours_saved_total use base unit "seconds" instead of "hours"']);
  });
});
