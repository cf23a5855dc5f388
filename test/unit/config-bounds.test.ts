/**
 * Every duration variable has bounds (issue 18): HANDOFF_POLL_INTERVAL=1ms polled n8n a thousand
 * times a second, and 25d overflowed Node's timer (which then fires every millisecond). A value out
 * of bounds is refused with the variable, the value and the range to use.
 */
import { ConfigError, loadConfig } from '../../monitor/src/config/env';

const TOKEN = 'a'.repeat(32);

function problem(env: Record<string, string>): string {
  try {
    loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('duration variables have bounds', () => {
  it.each([
    ['HANDOFF_POLL_INTERVAL', '1ms', /^HANDOFF_POLL_INTERVAL \(got "1ms"\) is too short: use a duration from 100ms to 1h\b.*default is 5s/],
    ['HANDOFF_POLL_INTERVAL', '99ms', /^HANDOFF_POLL_INTERVAL \(got "99ms"\) is too short: use a duration from 100ms to 1h/],
    ['HANDOFF_POLL_INTERVAL', '25d', /^HANDOFF_POLL_INTERVAL \(got "25d"\) is too long: use a duration from 100ms to 1h/],
    ['HANDOFF_POLL_INTERVAL', '61m', /^HANDOFF_POLL_INTERVAL \(got "61m"\) is too long/],
    ['HANDOFF_DEFAULT_LEASE', '500ms', /^HANDOFF_DEFAULT_LEASE \(got "500ms"\) is too short: use a duration from 1s to 7d/],
    ['HANDOFF_DEFAULT_LEASE', '8d', /^HANDOFF_DEFAULT_LEASE \(got "8d"\) is too long: use a duration from 1s to 7d/],
    ['HANDOFF_RETENTION', '10m', /^HANDOFF_RETENTION \(got "10m"\) is too short: use a duration from 1h to 3650d/],
    ['HANDOFF_RETENTION', '4000d', /^HANDOFF_RETENTION \(got "4000d"\) is too long/],
    ['HANDOFF_COLLECTOR_BACKFILL', '10s', /^HANDOFF_COLLECTOR_BACKFILL \(got "10s"\) is too short: use a duration from 1m to 90d/],
    ['HANDOFF_COLLECTOR_BACKFILL', '365d', /^HANDOFF_COLLECTOR_BACKFILL \(got "365d"\) is too long/],
    [
      'HANDOFF_ALERT_GROUP_WINDOW',
      '500ms',
      /^HANDOFF_ALERT_GROUP_WINDOW \(got "500ms"\) is too short: use a duration from 1s to 1h or 0 \(off\)/,
    ],
    ['HANDOFF_ALERT_GROUP_WINDOW', '2h', /^HANDOFF_ALERT_GROUP_WINDOW \(got "2h"\) is too long/],
    ['HANDOFF_ALERT_GROUP_WINDOW', 'soon', /^HANDOFF_ALERT_GROUP_WINDOW \(got "soon"\) "soon" is not a duration/],
  ])('%s=%s is refused, naming the variable, the value and the range', (name, value, message) => {
    expect(problem({ [name]: value })).toMatch(message);
  });

  it.each([
    ['HANDOFF_POLL_INTERVAL', '100ms', 'pollIntervalMs', 100],
    ['HANDOFF_POLL_INTERVAL', '1h', 'pollIntervalMs', 3_600_000],
    ['HANDOFF_DEFAULT_LEASE', '1s', 'defaultLeaseMs', 1_000],
    ['HANDOFF_DEFAULT_LEASE', '7d', 'defaultLeaseMs', 7 * 86_400_000],
    ['HANDOFF_RETENTION', '1h', 'retentionMs', 3_600_000],
    ['HANDOFF_RETENTION', '3650d', 'retentionMs', 3650 * 86_400_000],
    ['HANDOFF_COLLECTOR_BACKFILL', '1m', 'collectorBackfillMs', 60_000],
    ['HANDOFF_COLLECTOR_BACKFILL', '90d', 'collectorBackfillMs', 90 * 86_400_000],
    ['HANDOFF_ALERT_GROUP_WINDOW', '1s', 'alertGroupWindowMs', 1_000],
    ['HANDOFF_ALERT_GROUP_WINDOW', '1h', 'alertGroupWindowMs', 3_600_000],
    ['HANDOFF_ALERT_GROUP_WINDOW', '0', 'alertGroupWindowMs', 0],
    ['HANDOFF_ALERT_GROUP_WINDOW', '0s', 'alertGroupWindowMs', 0],
  ])('%s=%s, at the edge, is accepted', (name, value, field, ms) => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, [name]: value })).toMatchObject({ [field]: ms });
  });

  it('keeps the defaults inside their bounds', () => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN })).toMatchObject({
      pollIntervalMs: 5_000,
      defaultLeaseMs: 15 * 60_000,
      retentionMs: 30 * 86_400_000,
      collectorBackfillMs: 7 * 86_400_000,
      alertGroupWindowMs: 60_000,
    });
  });
});
