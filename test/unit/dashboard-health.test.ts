/** The red / amber / green rule, case by case (report/health.ts). */
import { handoffHealth, type HealthInput } from '../../monitor/src/report/health';

const calm: HealthInput = { seen1h: 10, failed1h: 0, failed24h: 0, openStalls: 0, unresolved: 0, pastSla: 0 };

describe('handoffHealth', () => {
  it.each<[string, Partial<HealthInput>, 'red' | 'amber' | 'green', string[]]>([
    ['nothing wrong', {}, 'green', []],
    ['no handoffs at all is not a failure', { seen1h: 0 }, 'green', []],
    ['an open stall', { openStalls: 1, unresolved: 1 }, 'red', ['1 open stall']],
    [
      '1h failed rate above 20%, a recovered handoff but an incident still open',
      { seen1h: 4, failed1h: 1, failed24h: 1, unresolved: 1 },
      'red',
      ['failed sync rate 25% in the last hour (red above 20%)'],
    ],
    [
      '1h failed rate above 20%, a failure still queued',
      { seen1h: 4, failed1h: 1, failed24h: 1, queued: 1 },
      'red',
      ['failed sync rate 25% in the last hour (red above 20%)'],
    ],
    [
      '1h failed rate above 20% with every failure recovered is amber',
      { seen1h: 4, failed1h: 1, failed24h: 1, queued: 0 },
      'amber',
      ['failed sync rate 25% in the last hour, every failed handoff recovered since', '1 failed handoff in 24 h'],
    ],
    [
      '1h failed rate above 20% counted by runs (no keys: nothing recovers)',
      { seen1h: 4, failed1h: 1, failed24h: 1, basis: 'runs' },
      'red',
      ['failed sync rate 25% in the last hour (red above 20%)'],
    ],
    ['1h failed rate exactly 20% is amber, not red', { seen1h: 5, failed1h: 1, failed24h: 1 }, 'amber', ['1 failed handoff in 24 h']],
    ['an incident past its SLA', { unresolved: 2, pastSla: 1 }, 'red', ['1 incident past the exception SLA']],
    [
      'every red reason is listed',
      { openStalls: 2, seen1h: 1, failed1h: 1, pastSla: 2, queued: 1 },
      'red',
      ['2 open stalls', 'failed sync rate 100% in the last hour (red above 20%)', '2 incidents past the exception SLA'],
    ],
    ['open incidents within SLA', { unresolved: 2 }, 'amber', ['2 open incidents']],
    ['failures earlier today only', { failed24h: 3 }, 'amber', ['3 failed handoffs in 24 h']],
    ['both amber reasons', { unresolved: 1, failed24h: 1 }, 'amber', ['1 open incident', '1 failed handoff in 24 h']],
    [
      'handoffs waiting in the exception queue',
      { queued: 2, failed24h: 2 },
      'amber',
      ['2 handoffs waiting in the exception queue', '2 failed handoffs in 24 h'],
    ],
  ])('%s', (_name, over, level, reasons) => {
    expect(handoffHealth({ ...calm, ...over })).toEqual({ level, reasons });
  });
});
