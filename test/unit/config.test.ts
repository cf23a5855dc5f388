import { ConfigError, loadConfig } from '../../monitor/src/config/env';
import { formatDuration, parseDuration } from '../../monitor/src/util/duration';

const TOKEN = 'a'.repeat(32);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('monitor configuration', () => {
  it('needs nothing but a token and binds to loopback by default', () => {
    const config = loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 5680,
      db: 'handoff-monitor.db',
      contracts: 'handoffs.yaml',
      contractsExplicit: false,
      pollIntervalMs: 5_000,
      retentionMs: 30 * 86_400_000,
      dashboardPublic: false,
    });
    expect(config.n8n).toBeUndefined();
  });

  it.each([
    [{ HANDOFF_MONITOR_PORT: 'eighty' }, /^HANDOFF_MONITOR_PORT \(got "eighty"\) must be a port number/],
    [{ HANDOFF_MONITOR_PORT: '70000' }, /^HANDOFF_MONITOR_PORT \(got "70000"\) must be between 0 and 65535/],
    [{ HANDOFF_POLL_INTERVAL: 'soon' }, /^HANDOFF_POLL_INTERVAL \(got "soon"\) "soon" is not a duration/],
    [{ N8N_BASE_URL: 'localhost:5678', N8N_API_KEY: 'k' }, /^N8N_BASE_URL \(got "localhost:5678"\) must be a full http\(s\) URL/],
    [{ N8N_BASE_URL: 'http://127.0.0.1:5678' }, /N8N_BASE_URL and N8N_API_KEY go together/],
    [{ HANDOFF_DASHBOARD_PUBLIC: 'maybe' }, /^HANDOFF_DASHBOARD_PUBLIC \(got "maybe"\) use true or false/],
  ])('names the variable, the value and the fix: %o', (env, message) => {
    expect(problems({ HANDOFF_MONITOR_TOKEN: TOKEN, ...env })[0]).toMatch(message);
  });

  it('requires a token but never echoes one', () => {
    expect(problems({})[0]).toMatch(/^HANDOFF_MONITOR_TOKEN is required/);
    const [problem] = problems({ HANDOFF_MONITOR_TOKEN: 'short-secret' });
    expect(problem).toMatch(/value hidden/);
    expect(problem).not.toContain('short-secret');
  });

  it('lets `check` run without a token', () => {
    expect(() => loadConfig({}, { requireToken: false })).not.toThrow();
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['15m', 900_000],
    ['48h', 172_800_000],
    ['30d', 2_592_000_000],
    ['1.5h', 5_400_000],
    ['90', 90_000],
    [90, 90_000],
    ['15 minutes', undefined],
    ['-5s', undefined],
    ['', undefined],
  ])('%p → %p ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [3_660_000, '1h 1m'],
    [90_061_000, '1d 1h'],
    [-120_000, '-2m'],
  ])('formats %p as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
