/**
 * Retention settings (issue 18 item 4): events, finished executions, resolved incidents and sent
 * alerts each have a duration with bounds; a value out of bounds names the variable, the value, the
 * range and the default.
 */
import { ConfigError, loadConfig } from '../../monitor/src/config/env';

const TOKEN = 'r'.repeat(32);
const DAY = 86_400_000;

function problem(env: Record<string, string>): string {
  try {
    loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('retention variables', () => {
  it('default to 30 days of events, executions and sent alerts and 90 days of resolved incidents', () => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN }).retention).toEqual({
      eventsMs: 30 * DAY,
      executionsMs: 30 * DAY,
      incidentsMs: 90 * DAY,
      alertsMs: 30 * DAY,
    });
  });

  it.each([
    [
      'HANDOFF_RETENTION_EVENTS',
      '6d',
      /^HANDOFF_RETENTION_EVENTS \(got "6d"\) is too short: use a duration from 7d to 3650d \(.*Monday check.*\); the default is 30d$/,
    ],
    ['HANDOFF_RETENTION_EVENTS', '4000d', /^HANDOFF_RETENTION_EVENTS \(got "4000d"\) is too long: use a duration from 7d to 3650d/],
    [
      'HANDOFF_RETENTION_EXECUTIONS',
      '12h',
      /^HANDOFF_RETENTION_EXECUTIONS \(got "12h"\) is too short: use a duration from 1d to 3650d.*default is 30d$/,
    ],
    [
      'HANDOFF_RETENTION_INCIDENTS',
      '2d',
      /^HANDOFF_RETENTION_INCIDENTS \(got "2d"\) is too short: use a duration from 7d to 3650d.*default is 90d$/,
    ],
    [
      'HANDOFF_RETENTION_ALERTS',
      '1h',
      /^HANDOFF_RETENTION_ALERTS \(got "1h"\) is too short: use a duration from 1d to 3650d.*default is 30d$/,
    ],
    ['HANDOFF_RETENTION_ALERTS', 'forever', /^HANDOFF_RETENTION_ALERTS \(got "forever"\) "forever" is not a duration/],
  ])('%s=%s is refused, naming the variable, the value and the fix', (name, value, message) => {
    expect(problem({ [name]: value })).toMatch(message);
  });

  it.each([
    ['HANDOFF_RETENTION_EVENTS', '7d', 'eventsMs', 7 * DAY],
    ['HANDOFF_RETENTION_EXECUTIONS', '1d', 'executionsMs', DAY],
    ['HANDOFF_RETENTION_INCIDENTS', '3650d', 'incidentsMs', 3650 * DAY],
    ['HANDOFF_RETENTION_ALERTS', '24h', 'alertsMs', DAY],
  ])('%s=%s, at the edge, is accepted', (name, value, field, ms) => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, [name]: value }).retention).toMatchObject({ [field]: ms });
  });
});
