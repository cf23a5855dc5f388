/** The SLA clock with an injected clock: unresolved past the SLA → escalated once, to the contract's target. */
import { waitFor } from '../support/wait';
import { Harness, report, Sink, startHarness, startSink, T0 } from './incidents-helpers';
import { storeKinds } from '../support/stores';

const HOUR = 3_600_000;

describe.each(storeKinds)('incident escalation on %s', (kind) => {
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

  it('escalates once to the escalation target when the SLA (2h) passes, and alerts that target', async () => {
    const { body } = await h.call('POST', '/api/v1/incidents', report());
    await h.monitor.alerts.flush();

    h.clock.now = T0 + 2 * HOUR - 1;
    expect(await h.monitor.alerts.escalate()).toEqual([]);

    h.clock.now = T0 + 2 * HOUR;
    const escalated = await h.monitor.alerts.escalate();
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({
      id: body.incident.id,
      escalatedAt: new Date(T0 + 2 * HOUR).toISOString(),
      escalatedTo: { name: 'On-call lead', channel: '#ops-oncall' },
      state: 'open',
    });

    // Hours later, more failures and more sweeps: still escalated once.
    h.clock.now = T0 + 30 * HOUR;
    await h.call('POST', '/api/v1/incidents', report());
    expect(await h.monitor.alerts.escalate()).toEqual([]);
    await h.monitor.alerts.flush();

    const kinds = sink.requests.map((r) => r.headers['idempotency-key']);
    expect(kinds).toEqual([`incident-${body.incident.id}-opened`, `incident-${body.incident.id}-escalated`]);
    expect(sink.requests[1].body.text).toContain('Escalated to: On-call lead (#ops-oncall)');
    const stored = (await h.call('GET', `/api/v1/incidents/${body.incident.id}`)).body.incident;
    expect(stored.escalatedAt).toBe(new Date(T0 + 2 * HOUR).toISOString());
  });

  it('escalates an acknowledged incident nobody resolved, but never a resolved one', async () => {
    const acked = (await h.call('POST', '/api/v1/incidents', report({ dedupKey: 'acked' }))).body.incident.id;
    const resolved = (await h.call('POST', '/api/v1/incidents', report({ dedupKey: 'resolved' }))).body.incident.id;
    await h.call('POST', `/api/v1/incidents/${acked}/ack`);
    await h.call('POST', `/api/v1/incidents/${resolved}/resolve`);

    h.clock.now = T0 + 3 * HOUR;
    const escalated = await h.monitor.alerts.escalate();
    expect(escalated.map((i) => i.id)).toEqual([acked]);
  });

  it('escalates back to the owner when the contract names no escalation target', async () => {
    await h.call('POST', '/api/v1/incidents', report({ handoff: 'no-oncall', dedupKey: 'solo' }));
    h.clock.now = T0 + 48 * HOUR;
    const [incident] = await h.monitor.alerts.escalate();
    expect(incident.escalatedTo).toEqual({ name: 'Lee Solo' });
  });

  it('runs on its own timer when an interval is set', async () => {
    await h.stop();
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url }, deps: { alertIntervalMs: 20 } });
    await h.call('POST', '/api/v1/incidents', report());
    h.clock.now = T0 + 3 * HOUR;
    const escalatedAt = await waitFor(
      'the timer to escalate the incident',
      async () => (await h.call('GET', '/api/v1/incidents')).body.incidents[0].escalatedAt as string | undefined,
      { intervalMs: 20 },
    );
    expect(escalatedAt).toBe(new Date(T0 + 3 * HOUR).toISOString());
  });
});
