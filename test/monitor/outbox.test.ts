/** The alert outbox: retries with p-retry, marks sent after the 2xx only, parks refused alerts. */
import { Harness, report, Sink, startHarness, startSink } from './incidents-helpers';
import { storeKinds } from '../support/stores';

describe.each(storeKinds)('alert outbox on %s', (kind) => {
  let h: Harness;
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url } });
  });
  afterEach(async () => {
    await h.stop();
    await sink.close();
  });

  it('retries 503s and marks the alert sent after the first 2xx, with the same idempotency key each time', async () => {
    sink.statuses.push(503, 503);
    await h.call('POST', '/api/v1/incidents', report());
    expect(await h.monitor.alerts.flush()).toBe(1);

    expect(sink.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(sink.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const [alert] = await h.monitor.store.incidents.outbox.list();
    expect(alert).toMatchObject({ state: 'sent', attempts: 3, kind: 'opened' });
    expect(await h.monitor.alerts.flush()).toBe(0);
    expect(sink.requests).toHaveLength(3);
  });

  it('keeps an alert pending when every try of a pass fails, and sends it on a later pass', async () => {
    sink.fallback = 500;
    await h.call('POST', '/api/v1/incidents', report());
    expect(await h.monitor.alerts.flush()).toBe(0);
    const [pending] = await h.monitor.store.incidents.outbox.list();
    expect(pending).toMatchObject({ state: 'pending', attempts: 3 });
    expect(pending.lastError).toContain('HTTP 500');

    // Not due yet (requeue wait), so a pass now sends nothing; after the wait it goes out.
    sink.fallback = 200;
    expect(await h.monitor.alerts.flush()).toBe(0);
    h.clock.now += 60_000;
    expect(await h.monitor.alerts.flush()).toBe(1);
    expect(sink.requests.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('retries when the webhook is unreachable (network error), not only on 5xx', async () => {
    const url = sink.url;
    await sink.close();
    await h.call('POST', '/api/v1/incidents', report());
    expect(await h.monitor.alerts.flush()).toBe(0);
    const [pending] = await h.monitor.store.incidents.outbox.list();
    expect(pending).toMatchObject({ state: 'pending', attempts: 3 });
    sink = await startSink(Number(new URL(url).port));
    h.clock.now += 60_000;
    expect(await h.monitor.alerts.flush()).toBe(1);
    expect(sink.requests).toHaveLength(1);
  });

  it('parks an alert the webhook refuses with a 4xx instead of retrying it forever', async () => {
    sink.statuses.push(404);
    await h.call('POST', '/api/v1/incidents', report());
    await h.monitor.alerts.flush();
    h.clock.now += 3_600_000;
    await h.monitor.alerts.flush();
    expect(sink.requests).toHaveLength(1);
    const [dead] = await h.monitor.store.incidents.outbox.list();
    expect(dead).toMatchObject({ state: 'dead', attempts: 1 });
    expect(dead.lastError).toContain('HTTP 404');
  });

  it('keeps alerts in the outbox when no webhook is configured', async () => {
    await h.stop();
    h = await startHarness({ store: kind });
    await h.call('POST', '/api/v1/incidents', report());
    expect(await h.monitor.alerts.flush()).toBe(0);
    expect(await h.monitor.store.incidents.outbox.list()).toMatchObject([{ state: 'pending', attempts: 0 }]);
    expect(h.logs.join('')).toContain('HANDOFF_ALERT_WEBHOOK_URL is not set');
  });
});
