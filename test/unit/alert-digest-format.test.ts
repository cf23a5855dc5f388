/**
 * A digest's message (monitor/src/alerts/format.ts): one message naming the group's deals (at most
 * ten, then "and N more"), the cause, the owner and where the whole list is; user text escaped for
 * Slack mrkdwn and secrets redacted, as in single alerts.
 */
import type { Incident } from '../../protocol/incidents';
import { DIGEST_LISTED, digestText, formatDelivery, formatSlackDigest, incidentRange, SLACK_LIMITS } from '../../monitor/src/alerts/format';
import type { AlertKind } from '../../monitor/src/domain/incidents';
import type { AlertDigest, OutboxAlert } from '../../monitor/src/domain/incident-message';

const DANA = { name: 'Dana Ops', channel: '#delivery-ops' };

const row = (id: number, kind: AlertKind = 'opened', over: Partial<Incident> = {}): OutboxAlert => {
  const incident: Incident = {
    id,
    handoff: 'kickoff',
    dedupKey: `kickoff:request_failed:deal-${id}`,
    kind: 'request_failed',
    title: 'Task board answered 503',
    severity: 'high',
    state: kind === 'recovered' ? 'resolved' : 'open',
    owner: DANA,
    ownerSource: 'handoff',
    slaDueAt: '2026-02-04T09:00:00.000Z',
    firstSeenAt: '2026-02-02T09:00:00.000Z',
    lastSeenAt: `2026-02-02T09:00:${String(id).padStart(2, '0')}.000Z`,
    count: 1,
    idempotencyKey: `deal-${id}`,
    error: { message: 'task board HTTP 503' },
    ...over,
  };
  return {
    id,
    incidentId: id,
    kind,
    idempotencyKey: `incident-${id}-${kind}`,
    message: {
      kind,
      to: kind === 'escalated' ? { name: 'On-call lead', channel: '#ops-oncall' } : DANA,
      incident,
      at: incident.lastSeenAt,
    },
    attempts: 0,
    createdAt: 0,
    state: 'pending',
  };
};

const digest = (alerts: OutboxAlert[]): AlertDigest => ({ kind: alerts[0].kind, idempotencyKey: 'digest-x', alerts });
const range = (from: number, to: number, kind: AlertKind = 'opened') =>
  Array.from({ length: to - from + 1 }, (_, i) => row(from + i, kind));

describe('alert digests', () => {
  it.each([
    [[3, 4, 5], 'incidents #3–#5'],
    [[5, 3, 4], 'incidents #3–#5'],
    [[2, 5, 9], 'incidents #2, #5, #9'],
    [[7], 'incident #7'],
    [Array.from({ length: 12 }, (_, i) => i * 2), 'incidents #0, #2, #4, #6, #8, #10, #12, #14, #16, #18 (and 2 more)'],
  ])('names incidents %j as "%s": a range only when none is missing', (ids, text) => {
    expect(incidentRange(ids)).toBe(text);
  });

  it('lists the deals in the order their incidents opened, whatever order they fell due in', () => {
    const text = digestText(digest([row(5, 'recovered'), row(2, 'recovered'), row(4, 'recovered'), row(3, 'recovered')]));
    expect(text.split('\n')[1]).toBe('Deals: deal-2, deal-3, deal-4, deal-5');
  });

  it('names the count, handoff, kind and cause, at most ten deals then "and N more", the owner and the queue', () => {
    const text = digestText(digest(range(3, 14)), { dashboardUrl: 'https://monitor.example.test/' });
    expect(text.split('\n')).toEqual([
      '12 more deals failed on kickoff — request_failed: task board HTTP 503',
      'Deals: deal-3, deal-4, deal-5, deal-6, deal-7, deal-8, deal-9, deal-10, deal-11, deal-12 (and 2 more)',
      'Owner: Dana Ops (#delivery-ops) · worst severity high · incidents #3–#14',
      'Exception queue: https://monitor.example.test/queue?handoff=kickoff&kind=request_failed',
    ]);
    expect(DIGEST_LISTED).toBe(10);
  });

  it('recovered and escalated digests say so, to whom, and link the incidents', () => {
    expect(digestText(digest(range(1, 9, 'recovered')), { dashboardUrl: 'https://m.test' }).split('\n')).toEqual([
      'Recovered: 9 more deals on kickoff — request_failed',
      'Deals: deal-1, deal-2, deal-3, deal-4, deal-5, deal-6, deal-7, deal-8, deal-9',
      'Owner: Dana Ops (#delivery-ops) · incidents #1–#9',
      'Incidents: https://m.test/incidents?handoff=kickoff',
    ]);
    const escalated = digestText(digest(range(1, 2, 'escalated')));
    expect(escalated).toContain('Escalated: 2 more deals on kickoff unresolved past their SLA — request_failed: task board HTTP 503');
    expect(escalated).toContain('Escalated to: On-call lead (#ops-oncall) · owner Dana Ops (#delivery-ops)');
  });

  it('shows the worst severity, and says when the errors differ', () => {
    const alerts = [row(1), row(2, 'opened', { severity: 'critical', error: { message: 'task board HTTP 502' } })];
    const text = digestText(digest(alerts));
    expect(text).toContain('task board HTTP 502 (the latest of 2 different errors)');
    expect(text).toContain('worst severity critical');
  });

  it('incidents without a deal key are listed by number', () => {
    const text = digestText(digest([row(1, 'opened', { idempotencyKey: undefined }), row(2, 'opened', { idempotencyKey: undefined })]));
    expect(text).toContain('2 more incidents failed on kickoff');
    expect(text).toContain('Incidents: #1, #2');
  });

  it('escapes user text for Slack mrkdwn and keeps secrets out, within the block limits', () => {
    const evil = row(1, 'opened', { idempotencyKey: '<!channel> & <https://evil.test|click>' });
    // The latest failure: its error is the cause the digest shows.
    const leaky = row(2, 'opened', {
      lastSeenAt: '2026-02-02T09:59:00.000Z',
      error: { message: 'POST failed: Authorization: Bearer sk_live_0123456789abcdefghij' },
    });
    const body = formatSlackDigest(digest([evil, leaky, ...range(3, 40)]));
    const sections = (body.blocks as { text: { text: string } }[]).map((b) => b.text.text);
    const all = sections.join('\n');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
    expect(all).not.toContain('<!channel>');
    expect(body.text).toContain('POST failed: Authorization:');
    expect(JSON.stringify(body)).not.toContain('sk_live_0123456789abcdefghij');
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(body.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('the json format carries the digest key, the count and every incident briefly', () => {
    const body = formatDelivery('json', digest(range(1, 12)), {}) as Record<string, any>;
    expect(body).toMatchObject({ event: 'incident.opened.digest', idempotencyKey: 'digest-x', count: 12, to: DANA });
    expect(body.incidents).toHaveLength(12);
    expect(body.incidents[11]).toEqual({
      id: 12,
      handoff: 'kickoff',
      kind: 'request_failed',
      title: 'Task board answered 503',
      severity: 'high',
      state: 'open',
      idempotencyKey: 'deal-12',
    });
  });

  it('a single alert is formatted as before', () => {
    const single = row(7);
    expect(formatDelivery('slack', single)).toEqual(expect.objectContaining({ text: expect.stringMatching(/^Incident #7 on kickoff/) }));
  });
});
