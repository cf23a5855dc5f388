/** The collector's and /metrics' environment variables. */
import { ConfigError, loadConfig } from '../../monitor/src/config/env';

const base = { HANDOFF_MONITOR_TOKEN: 'token-0123456789abcdef' };

describe('collector and metrics configuration', () => {
  it('defaults: /metrics needs the token, the first poll reads 7 days back', () => {
    const config = loadConfig(base);
    expect(config.metricsPublic).toBe(false);
    expect(config.collectorBackfillMs).toBe(7 * 86_400_000);
  });

  it('reads HANDOFF_METRICS_PUBLIC and HANDOFF_COLLECTOR_BACKFILL', () => {
    const config = loadConfig({ ...base, HANDOFF_METRICS_PUBLIC: 'true', HANDOFF_COLLECTOR_BACKFILL: '24h' });
    expect(config.metricsPublic).toBe(true);
    expect(config.collectorBackfillMs).toBe(86_400_000);
  });

  it.each([
    ['HANDOFF_METRICS_PUBLIC', 'maybe', /HANDOFF_METRICS_PUBLIC \(got "maybe"\) use true or false/],
    ['HANDOFF_COLLECTOR_BACKFILL', 'a week', /HANDOFF_COLLECTOR_BACKFILL \(got "a week"\) "a week" is not a duration/],
  ])('names %s and its value when it is wrong', (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
  });
});
