/**
 * A dead alert (the webhook refused it, e.g. Slack's 400 invalid_blocks) is no longer silent: it is
 * counted on /metrics (handoff_alerts_dead), shown on the incident page and the overview (the handoff
 * turns red), and fails the Monday check's "retry queues empty" item, until its incident is resolved.
 */
import { parseContract } from '../../monitor/src/contract/load';
import { loadReportData } from '../../monitor/src/report/data';
import { buildMonday } from '../../monitor/src/report/monday';
import { buildOverview } from '../../monitor/src/report/overview';
import { sample } from '../support/metrics';
import { Harness, report, Sink, startHarness, startSink, TOKEN } from './incidents-helpers';
import { openTestStore, type OpenedStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

describe.each(storeKinds)('dead alerts on %s', (kind) => {
  let h: Harness;
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url }, deps: { metricsShareMs: 0 } });
  });
  afterEach(async () => {
    await h.stop();
    await sink.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${h.monitor.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, text: await res.text() };
  };

  it('are counted on /metrics, shown on the incident page and the overview, until the incident is resolved', async () => {
    sink.statuses.push(400); // Slack: invalid_blocks
    const opened = await h.call('POST', '/api/v1/incidents', report());
    const id = opened.body.incident.id;
    await h.monitor.alerts.flush();
    const [dead] = await h.monitor.store.incidents.outbox.dead({ limit: 10 });
    expect(dead).toMatchObject({
      incidentId: id,
      state: 'dead',
      kind: 'opened',
      lastError: expect.stringContaining('HTTP 400'),
      deadAt: expect.any(Number),
    });

    const metrics = await get('/metrics');
    expect(metrics.text).toContain('# TYPE handoff_alerts_dead gauge');
    expect(sample(metrics.text, 'handoff_alerts_dead{handoff="kickoff"}')).toBe(1);
    expect(sample(metrics.text, 'handoff_alerts_dead{handoff="no-oncall"}')).toBe(0);

    const page = await get(`/incidents/${id}`);
    expect(page.text).toContain('data-dead-alerts');
    expect(page.text).toMatch(/Not delivered:<\/strong> the alert webhook refused the alert for this incident, so Dana Ops was not told/);
    expect(page.text).toContain('webhook answered HTTP 400');

    const overview = await get('/');
    expect(overview.text).toMatch(/<div class="card" data-dead-alerts><div class="big sla-over">1<\/div>/);
    expect(overview.text).toMatch(/data-handoff="kickoff" data-health="red"/);
    expect(overview.text).toContain('1 alert the webhook refused: the owner was not told');

    // Someone dealt with it: resolved, it no longer counts (the alert stays dead, for the record).
    await h.call('POST', `/api/v1/incidents/${id}/resolve`);
    expect(sample((await get('/metrics')).text, 'handoff_alerts_dead{handoff="kickoff"}')).toBe(0);
    expect((await get('/')).text).not.toContain('data-dead-alerts');
    expect(await h.monitor.store.incidents.outbox.dead({ incidentId: id, limit: 10 })).toHaveLength(1);
  });
});

describe.each(storeKinds)("the Monday check's retry-queues item on %s", (kind) => {
  const NOW = Date.parse('2026-03-02T12:00:00Z');
  const contract = parseContract(
    'systems: { crm: { name: CRM } }\nhandoffs: [{ id: kickoff, name: Kickoff, source: crm, targets: [crm], owner: { name: Dana Ops } }]',
  );
  let s: OpenedStore;
  beforeEach(async () => {
    s = await openTestStore(kind);
  });
  afterEach(() => s.close());

  const queuesItem = async () => {
    const data = await loadReportData(s.store, contract, NOW, { withMonday: true });
    return buildMonday(data, buildOverview(data)).items.find((i) => i.id === 'queues')!;
  };

  it('fails while a dead alert stands for an unresolved incident, and passes once it is resolved', async () => {
    // Everything else in the item is fine: the handoff ran in the last 24 h, nothing queued or pending.
    await s.store.executions.upsert(
      [
        {
          id: '1',
          handoff: 'kickoff',
          workflowId: '101',
          status: 'success',
          mode: 'webhook',
          startedAt: NOW - 60_000,
          stoppedAt: NOW - 30_000,
          waitTill: null,
          retryOf: null,
          retrySuccessId: null,
        },
      ],
      NOW,
    );
    await s.store.aggregates.advance(NOW);
    const { incident } = await s.store.incidents.report(
      {
        handoff: 'kickoff',
        dedupKey: 'd',
        title: 'Board down',
        severity: 'high',
        owner: { name: 'Dana Ops' },
        ownerSource: 'handoff',
        slaMs: 48 * 3_600_000,
      },
      NOW - 10_000,
    );
    const [alert] = await s.store.incidents.outbox.due(NOW, 10);
    await s.store.incidents.outbox.markSent(alert.id, NOW, 1);
    await s.store.incidents.transition(incident.id, 'ack', NOW);
    expect((await queuesItem()).ok).toBe(true);

    // An escalation the webhook refused.
    await s.store.incidents.escalateDue(NOW + 49 * 3_600_000, (i) => i.owner);
    const [escalated] = await s.store.incidents.outbox.due(NOW + 49 * 3_600_000, 10);
    await s.store.incidents.outbox.markDead(escalated.id, NOW, 1, 'webhook answered HTTP 400: invalid_blocks');
    const failing = await queuesItem();
    expect(failing.ok).toBe(false);
    expect(failing.summary).toContain('0 alerts waiting in the outbox; 1 alert the webhook refused (owners not told; see the incidents)');

    await s.store.incidents.transition(incident.id, 'resolve', NOW);
    expect((await queuesItem()).ok).toBe(true);
  });
});
