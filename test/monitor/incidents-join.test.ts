/**
 * One deal, one open incident (docs/architecture.md "Incidents"), over real HTTP on both stores: the
 * nightly reconcile's report for a deal whose kickoff failure is still open joins that incident —
 * one count more, the latest error, the highest severity, no second "opened" alert — and the
 * incident says the reconcile saw it too. Recovery then resolves it once, and /metrics counts the
 * deal once.
 */
import { sample } from '../support/metrics';
import { storeKinds } from '../support/stores';
import { Harness, Sink, startHarness, startSink, T0 } from './incidents-helpers';

jest.setTimeout(60_000);

const kickoffFailure = (deal: string) => ({
  handoff: 'kickoff',
  dedupKey: `kickoff:request_failed:${deal}`,
  title: `request_failed in Create project: POST /projects failed after 3 attempts: HTTP 503`,
  kind: 'request_failed',
  severity: 'high',
  idempotencyKey: deal,
  error: { message: 'HTTP 503', node: 'Create project' },
  execution: { id: '501', workflowId: '101', workflowName: 'Kickoff' },
});

/** What the nightly reconcile's Exception Router sends for a closed deal without a project. */
const reconcileMiss = (deal: string, over: Record<string, unknown> = {}) => ({
  handoff: 'kickoff',
  dedupKey: `kickoff:reconcile_missing:${deal}`,
  title: `reconcile_missing: Deal ${deal} is closed-won in the CRM but has no project`,
  kind: 'reconcile_missing',
  severity: 'critical',
  idempotencyKey: deal,
  error: { message: `Deal ${deal} is closed-won in the CRM but has no project on the task board (nightly reconcile)` },
  execution: { id: '900', workflowId: '300', workflowName: 'Nightly reconcile' },
  ...over,
});

describe.each(storeKinds)('one open incident per deal, on %s', (kind) => {
  let h: Harness;
  let sink: Sink;
  beforeEach(async () => {
    sink = await startSink();
    // metricsShareMs 0: each /metrics read here is a fresh scrape, not the one shared a moment ago.
    h = await startHarness({ store: kind, env: { HANDOFF_ALERT_WEBHOOK_URL: sink.url }, deps: { metricsShareMs: 0 } });
  });
  afterEach(async () => {
    await h.stop();
    await sink.close();
  });

  const post = (body: unknown) => h.call('POST', '/api/v1/incidents', body);
  const unresolved = async () => (await h.call('GET', '/api/v1/incidents?state=unresolved')).body.incidents as any[];

  it("the nightly reconcile's miss joins the kickoff's open incident: count + 1, latest error, highest severity, no second alert", async () => {
    const first = await post(kickoffFailure('deal-42'));
    expect(first.status).toBe(201);
    h.clock.now = T0 + 3_600_000;
    const nightly = await post(reconcileMiss('deal-42'));

    expect(nightly.status).toBe(200);
    expect(nightly.body.deduplicated).toBe(true);
    expect(nightly.body.incident).toMatchObject({
      id: first.body.incident.id,
      dedupKey: 'kickoff:request_failed:deal-42',
      kind: 'request_failed',
      title: first.body.incident.title,
      count: 2,
      severity: 'critical',
      owner: first.body.incident.owner,
      slaDueAt: first.body.incident.slaDueAt,
      lastSeenAt: new Date(T0 + 3_600_000).toISOString(),
      error: { message: expect.stringContaining('nightly reconcile') },
      // The kickoff's run stays: it is what a replay re-delivers, not the reconcile's schedule.
      execution: { id: '501', workflowName: 'Kickoff' },
      alsoReported: [
        {
          dedupKey: 'kickoff:reconcile_missing:deal-42',
          kind: 'reconcile_missing',
          workflowName: 'Nightly reconcile',
          execution: { id: '900', workflowId: '300', workflowName: 'Nightly reconcile' },
          firstSeenAt: new Date(T0 + 3_600_000).toISOString(),
          lastSeenAt: new Date(T0 + 3_600_000).toISOString(),
          count: 1,
        },
      ],
    });
    expect(await unresolved()).toHaveLength(1);

    // The next night, still missing: the same incident again, the reconcile's entry counts it.
    h.clock.now = T0 + 2 * 3_600_000;
    const again = await post(reconcileMiss('deal-42', { execution: { id: '901', workflowId: '300', workflowName: 'Nightly reconcile' } }));
    expect(again.body).toMatchObject({ deduplicated: true, incident: { id: first.body.incident.id, count: 3 } });
    expect(again.body.incident.alsoReported).toEqual([
      expect.objectContaining({ count: 2, execution: expect.objectContaining({ id: '901' }) }),
    ]);

    // The owner heard once, when it opened.
    await h.monitor.alerts.flush();
    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0].headers['idempotency-key']).toBe(`incident-${first.body.incident.id}-opened`);
    expect((await h.monitor.store.incidents.outbox.list()).map((a) => a.kind)).toEqual(['opened']);

    // The incident page says that the nightly reconcile saw it too.
    const page = await h.call('GET', `/incidents/${first.body.incident.id}`, undefined, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<dt>Also reported<\/dt>/);
    expect(page.body).toMatch(
      /data-also-reported="kickoff:reconcile_missing:deal-42"[^>]*>[^]*?reconcile_missing[^]*?Nightly reconcile[^]*?2×/,
    );
  });

  it('a stall of the deal joins too, whichever came first; other deals, keyless reports and resolved incidents stay apart', async () => {
    // The stall detector first (it reports through the same opener as the API), then the Router.
    const stall = await post({
      handoff: 'kickoff',
      dedupKey: 'stall:claim:kickoff:deal-7',
      title: 'Claim of deal-7 held past the completion SLA',
      kind: 'stalled',
      idempotencyKey: 'deal-7',
    });
    const router = await post(kickoffFailure('deal-7'));
    expect(router.body).toMatchObject({ deduplicated: true, incident: { id: stall.body.incident.id, kind: 'stalled', count: 2 } });
    expect(router.body.incident.alsoReported).toEqual([expect.objectContaining({ dedupKey: 'kickoff:request_failed:deal-7', count: 1 })]);

    const otherDeal = await post(reconcileMiss('deal-8'));
    const noKey = await post({ ...reconcileMiss('deal-7'), idempotencyKey: undefined, dedupKey: 'execution_failed:kickoff:300' });
    expect(otherDeal.status).toBe(201);
    expect(noKey.status).toBe(201);
    expect(new Set([stall, otherDeal, noKey].map((r) => r.body.incident.id)).size).toBe(3);

    // Resolved by hand: the next report for deal-7 opens a new incident, which later reports join.
    await h.call('POST', `/api/v1/incidents/${stall.body.incident.id}/resolve`, { by: 'Dana Ops' });
    const reopened = await post(reconcileMiss('deal-7'));
    expect(reopened.status).toBe(201);
    expect(reopened.body.incident.id).not.toBe(stall.body.incident.id);
    expect((await post(kickoffFailure('deal-7'))).body.incident).toMatchObject({ id: reopened.body.incident.id, count: 2 });
    expect((await unresolved()).map((i) => i.idempotencyKey ?? '(none)').sort()).toEqual(['(none)', 'deal-7', 'deal-8']);
  });

  it('reports for one deal under 20 dedup keys at once make one incident and one alert', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(reconcileMiss('deal-9', { dedupKey: `reporter-${i}:deal-9` }))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 201].sort());
    expect(new Set(answers.map((a) => a.body.incident.id)).size).toBe(1);
    const [incident] = await unresolved();
    expect(incident.count).toBe(20);
    expect(incident.alsoReported).toHaveLength(19);
    expect((await h.monitor.store.incidents.outbox.list()).map((a) => a.kind)).toEqual(['opened']);
  });

  it('the deal completing resolves the joined incident once, one "recovered" alert; /metrics counts one failed deal, one incident', async () => {
    const claim = (execution: string) =>
      h.call('POST', '/api/v1/claims', {
        handoff: 'kickoff',
        execution: { id: execution, workflowId: '101' },
        items: [{ key: 'deal-42' }],
      });
    expect((await claim('501')).status).toBe(200);
    const opened = await post(kickoffFailure('deal-42'));
    await h.call('POST', '/api/v1/claims/release', { handoff: 'kickoff', keys: ['deal-42'], reason: 'task board down' });
    h.clock.now = T0 + 60_000;
    await post(reconcileMiss('deal-42'));
    await h.monitor.outcomes.flush();
    await h.monitor.stalls.tick(); // moves the rolling windows
    let metrics = (await h.call('GET', '/metrics')).body as string;
    expect(sample(metrics, 'handoff_incidents_open{handoff="kickoff",owner="Dana Ops",severity="critical"}')).toBe(1);
    expect(sample(metrics, 'handoff_incidents_open{handoff="kickoff",owner="Dana Ops",severity="high"}')).toBeUndefined();
    expect(sample(metrics, 'handoff_pairs_failed{handoff="kickoff",window="1h"}')).toBe(1);
    expect(sample(metrics, 'handoff_pairs_seen{handoff="kickoff",window="1h"}')).toBe(1);
    const [entry] = (await h.call('GET', '/api/v1/queue?handoff=kickoff')).body.entries;
    expect(entry).toMatchObject({ key: 'deal-42', failures: 2, incident: { id: opened.body.incident.id } });
    // The trace says what failed last: the reconcile's miss, not the incident's first kind again.
    expect(await h.monitor.store.outcomes.pair('kickoff', 'deal-42')).toMatchObject({
      failureKind: 'request_failed',
      lastFailureKind: 'reconcile_missing',
    });

    // The fix: a replay claims again (attempt 2) and completes.
    h.clock.now = T0 + 120_000;
    expect((await claim('502')).status).toBe(200);
    await h.call('POST', '/api/v1/claims/complete', { handoff: 'kickoff', keys: ['deal-42'] });
    await h.monitor.outcomes.flush();
    expect((await h.call('GET', `/api/v1/incidents/${opened.body.incident.id}`)).body.incident).toMatchObject({
      state: 'resolved',
      resolution: 'recovered: completed at attempt 2',
    });
    expect(await unresolved()).toEqual([]);
    await h.monitor.alerts.flush();
    expect(sink.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      `incident-${opened.body.incident.id}-opened`,
      `incident-${opened.body.incident.id}-recovered`,
    ]);

    await h.monitor.stalls.tick();
    metrics = (await h.call('GET', '/metrics')).body as string;
    expect(sample(metrics, 'handoff_incidents_open{handoff="kickoff",owner="Dana Ops",severity="critical"}')).toBeUndefined();
    expect(sample(metrics, 'handoff_pairs_failed{handoff="kickoff",window="1h"}')).toBe(1);
    expect(sample(metrics, 'handoff_time_to_recovery_seconds_count')).toBe(1);
  });
});
