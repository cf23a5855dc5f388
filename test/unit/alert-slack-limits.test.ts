/**
 * Slack-format alerts respect Block Kit's documented limits: a section's text is at most 3,000
 * characters and a message holds at most 50 blocks. Long text (an HTML error page, a stack trace) is
 * shortened with a pointer to the incident: its dashboard page when HANDOFF_DASHBOARD_URL is set,
 * else its number. (Issue 18: a 9,000-character error gave a 4,097-character section, which Slack
 * refuses with invalid_blocks, so the owner was never told.)
 */
import type { Incident } from '../../protocol/incidents';
import { formatSlack, SLACK_LIMITS } from '../../monitor/src/alerts/format';
import type { AlertMessage } from '../../monitor/src/domain/incident-message';

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 12,
  handoff: 'kickoff',
  dedupKey: 'd',
  title: 'Task board answered 502',
  severity: 'high',
  state: 'open',
  owner: { name: 'Dana Ops', channel: '#delivery-ops' },
  ownerSource: 'handoff',
  slaDueAt: '2026-02-04T09:00:00.000Z',
  firstSeenAt: '2026-02-02T09:00:00.000Z',
  lastSeenAt: '2026-02-02T09:00:00.000Z',
  count: 1,
  ...over,
});
const message = (i: Incident, kind: AlertMessage['kind'] = 'opened'): AlertMessage => ({
  kind,
  to: i.owner,
  incident: i,
  at: '2026-02-02T09:00:00.000Z',
});

type Block = { type: string; text?: { type: string; text: string } };
const sections = (body: { blocks: unknown[] }) => (body.blocks as Block[]).filter((b) => b.type === 'section').map((b) => b.text!.text);

const HTML_PAGE = `<!doctype html><html><body>${'<div class="x">Bad gateway &amp; more</div>\n'.repeat(200)}</body></html>`; // ~9,000 characters

describe('Slack alert limits', () => {
  it('knows the limits it keeps', () => {
    expect(SLACK_LIMITS).toEqual({ sectionText: 3_000, blocks: 50 });
  });

  it('a 9,000-character error fits every section in 3,000 characters and points at the dashboard page', () => {
    const body = formatSlack(message(incident({ error: { message: HTML_PAGE } })), { dashboardUrl: 'https://monitor.example.test' });
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    for (const text of sections(body)) expect(text.length).toBeLessThanOrEqual(3_000);
    expect(sections(body).join('\n')).toContain('https://monitor.example.test/incidents/12');
    expect(body.text.length).toBeLessThanOrEqual(3_000);
    expect(body.text).toContain('https://monitor.example.test/incidents/12');
    // What is kept reads as before: the owner line and the start of the error.
    expect(sections(body)[1]).toMatch(/^Owner: Dana Ops \(#delivery-ops\) · severity high/);
    expect(sections(body)[1]).toContain('Error: &lt;!doctype html&gt;');
  });

  it('without a dashboard URL, points at the incident by number', () => {
    const body = formatSlack(message(incident({ error: { message: HTML_PAGE } })));
    for (const text of sections(body)) expect(text.length).toBeLessThanOrEqual(3_000);
    expect(sections(body)[1]).toMatch(/… \(cut; the whole incident is #12 on the Handoff Guard dashboard\)$/);
  });

  it('never cuts inside an escaped character or a surrogate pair', () => {
    for (let pad = 0; pad < 12; pad++) {
      const body = formatSlack(message(incident({ error: { message: `${'x'.repeat(pad)}${'&<>🎉'.repeat(2_000)}` } })));
      for (const text of sections(body)) {
        expect(text.length).toBeLessThanOrEqual(3_000);
        expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      }
    }
  });

  it('keeps a long title, key and execution URL inside the limits too', () => {
    const long = incident({
      title: 'T'.repeat(5_000),
      idempotencyKey: 'k'.repeat(5_000),
      execution: { url: `https://n8n.example.test/${'p'.repeat(5_000)}` },
    });
    for (const kind of ['opened', 'escalated', 'recovered'] as const) {
      const body = formatSlack(message({ ...long, resolution: 'r'.repeat(5_000) }, kind));
      for (const text of sections(body)) expect(text.length).toBeLessThanOrEqual(3_000);
      expect(body.text.length).toBeLessThanOrEqual(3_000);
    }
  });

  it('leaves a short alert as it was, with the dashboard link when one is known', () => {
    const plain = formatSlack(message(incident({ error: { message: 'HTTP 502' } })));
    expect(sections(plain)).toEqual([
      '*Incident #12 on kickoff: Task board answered 502*',
      'Owner: Dana Ops (#delivery-ops) · severity high · 1 failure(s) · state open\nError: HTTP 502',
    ]);
    const linked = formatSlack(message(incident({ error: { message: 'HTTP 502' } })), { dashboardUrl: 'https://monitor.example.test/' });
    expect(sections(linked)[1]).toBe(
      'Owner: Dana Ops (#delivery-ops) · severity high · 1 failure(s) · state open\nError: HTTP 502\nIncident page: https://monitor.example.test/incidents/12',
    );
  });
});
