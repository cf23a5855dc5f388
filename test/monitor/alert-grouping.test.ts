/**
 * One outage, not fifty messages: ten deals failing within a second reach the owner's chat (the
 * mock agency's Slack-style webhook) as two messages — the first alert at once, then one digest
 * naming the other nine when the group window ends — and their recovery likewise. With
 * HANDOFF_ALERT_GROUP_WINDOW=0 every alert is its own message, as before. Every incident keeps its
 * own outbox row, settled with its digest. An injected clock stands in for the 60 s window.
 */
import { startAgencyMock, type AgencyMock } from '../mocks/agency';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

const T0 = Date.parse('2026-02-02T09:00:00Z');
const DEALS = Array.from({ length: 10 }, (_, i) => `deal-${i + 1}`);

describe.each(storeKinds)('alert grouping on %s', (kind) => {
  let mock: AgencyMock;
  let m: TestMonitor;
  const clock = { now: T0 };

  const start = async (env: Record<string, string> = {}) => {
    m = await startTestMonitor({
      store: kind,
      env: { HANDOFF_ALERT_WEBHOOK_URL: `${mock.url}/chat/webhook/owner-alerts`, ...env },
      deps: { now: () => clock.now, alertIntervalMs: 0, alertRetry: { attempts: 2, minTimeoutMs: 5, maxTimeoutMs: 10, requeueMs: 30_000 } },
    });
  };
  const chat = () => mock.chatMessages('owner-alerts').map((c) => c.text);
  const failAll = async () => {
    expect((await m.post('/api/v1/claims', { handoff: 'kickoff', items: DEALS.map((key) => ({ key })) })).status).toBe(200);
    // Ten reports within a second, each waking the outbox as it is queued.
    for (const [i, deal] of DEALS.entries()) {
      clock.now = T0 + i * 100;
      const res = await m.post('/api/v1/incidents', {
        handoff: 'kickoff',
        dedupKey: `kickoff:request_failed:${deal}`,
        idempotencyKey: deal,
        kind: 'request_failed',
        title: 'Task board answered 503',
        error: { message: 'task board HTTP 503' },
      });
      expect(res.status).toBe(201);
    }
  };
  /** When the first message went: the reports kicked the outbox while the clock moved through the second. */
  const firstSentAt = async () => {
    const [first] = await m.monitor.store.incidents.outbox.list();
    expect(first.state).toBe('sent');
    return first.sentAt!;
  };
  const recoverAll = async () => {
    expect((await m.post('/api/v1/claims/complete', { handoff: 'kickoff', keys: DEALS })).status).toBe(200);
    await m.monitor.outcomes.flush();
  };

  beforeEach(async () => {
    clock.now = T0;
    mock = await startAgencyMock();
  });
  afterEach(async () => {
    await m?.close();
    await mock.close();
  });

  it('ten failures → the first alert at once, then one digest of the other nine; ten recoveries → the same', async () => {
    await start();
    await failAll();
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(1);
    expect(chat()[0]).toMatch(/^Incident #1 on kickoff: Task board answered 503/);

    // Inside the window nothing more goes out, however often the worker runs.
    clock.now = T0 + 30_000;
    expect(await m.monitor.alerts.flush()).toBe(0);
    expect(chat()).toHaveLength(1);
    const held = await m.monitor.store.incidents.outbox.list();
    expect(held.filter((a) => a.state === 'pending')).toHaveLength(9);

    // The window ends (60 s after the first message): one digest naming the other nine.
    const first = await firstSentAt();
    clock.now = first + 59_999;
    expect(await m.monitor.alerts.flush()).toBe(0);
    clock.now = first + 60_000;
    expect(await m.monitor.alerts.flush()).toBe(9);
    expect(chat()).toHaveLength(2);
    expect(chat()[1].split('\n').slice(0, 2)).toEqual([
      '9 more deals failed on kickoff — request_failed: task board HTTP 503',
      'Deals: deal-2, deal-3, deal-4, deal-5, deal-6, deal-7, deal-8, deal-9, deal-10',
    ]);
    expect(chat()[1]).toContain('Owner: Dana Ops (#delivery-ops)');
    // Every incident's alert is its own row, sent once: the nine at the digest's time.
    const rows = await m.monitor.store.incidents.outbox.list();
    expect(rows.map((r) => [r.kind, r.state, r.attempts])).toEqual(DEALS.map(() => ['opened', 'sent', 1]));
    expect(new Set(rows.slice(1).map((r) => r.sentAt))).toEqual(new Set([first + 60_000]));
    expect(await m.monitor.alerts.flush()).toBe(0);
    expect(chat()).toHaveLength(2);

    // All ten recover a little later: again the first at once, then one digest.
    clock.now = T0 + 120_000;
    await recoverAll();
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(3);
    expect(chat()[2]).toMatch(/^Recovered: deal-1 on kickoff \(incident #1\)/);
    clock.now = T0 + 150_000;
    expect(await m.monitor.alerts.flush()).toBe(0);
    clock.now = T0 + 180_000;
    expect(await m.monitor.alerts.flush()).toBe(9);
    expect(chat()).toHaveLength(4);
    expect(chat()[3]).toMatch(/^Recovered: 9 more deals on kickoff — request_failed\nDeals: deal-2, deal-3, .*deal-10\n/);
    const recovered = (await m.monitor.store.incidents.outbox.list()).filter((r) => r.kind === 'recovered');
    expect(recovered.map((r) => r.state)).toEqual(DEALS.map(() => 'sent'));
  });

  it('HANDOFF_ALERT_GROUP_WINDOW=0 turns grouping off: ten messages, then ten more', async () => {
    await start({ HANDOFF_ALERT_GROUP_WINDOW: '0' });
    await failAll();
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(10);
    expect(chat().every((t) => t.startsWith('Incident #'))).toBe(true);
    clock.now = T0 + 2_000;
    await recoverAll();
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(20);
    expect(
      chat()
        .slice(10)
        .every((t) => t.startsWith('Recovered: deal-')),
    ).toBe(true);
  });

  it('a digest the chat refuses for now is retried as one, its rows together; held alerts survive a restart', async () => {
    await start();
    await failAll();
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(1);

    // A restart inside the window: the held alerts are still in the outbox, and the group's last
    // message is read from it, so the new process holds them too instead of sending a new "first".
    await m.restart();
    clock.now = T0 + 10_000;
    await m.monitor.alerts.flush();
    expect(chat()).toHaveLength(1);

    // The chat is down when the window ends: both tries of the pass fail, and all nine wait together.
    mock.inject('chat', { failNext: { count: 2, status: 503 } });
    clock.now = (await firstSentAt()) + 60_000;
    expect(await m.monitor.alerts.flush()).toBe(0);
    const pending = (await m.monitor.store.incidents.outbox.list()).filter((a) => a.state === 'pending');
    expect(pending).toHaveLength(9);
    expect(pending.every((a) => a.attempts === 2 && a.lastError?.includes('HTTP 503'))).toBe(true);
    expect(chat()).toHaveLength(1);

    clock.now += 30_000;
    expect(await m.monitor.alerts.flush()).toBe(9);
    expect(chat()).toHaveLength(2);
    expect(chat()[1]).toMatch(/^9 more deals failed on kickoff/);
    const rows = await m.monitor.store.incidents.outbox.list();
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    expect(rows.slice(1).every((r) => r.attempts === 3)).toBe(true);
  });
});
