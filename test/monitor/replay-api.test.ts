/**
 * The exception queue and replay over real HTTP: a real monitor (SQLite) and the fake n8n, whose
 * production webhook plays the workflow — it claims the key through the monitor's API and completes
 * it (the target is back) or reports the failure again (still down), as the kickoff's nodes would.
 */
import type { FakeWebhookCall } from '../support/fake-n8n';
import { type CollectorHarness, startCollectorHarness, TOKEN } from './collector-helpers';

const WEBHOOK_NODE = {
  name: 'CRM deal won',
  type: 'n8n-nodes-base.webhook',
  typeVersion: 2,
  webhookId: 'wh-kickoff',
  parameters: { path: 'handoff-kickoff', httpMethod: 'POST' },
};

describe('exception queue and replay', () => {
  let h: CollectorHarness;
  let target: 'up' | 'down';
  let sent: unknown[];

  /** What the kickoff does with a delivered deal: a new run (n8n records its input), claim, then complete or route the failure. */
  const playKickoff = async (call: FakeWebhookCall) => {
    const dealId = String((call.body as { dealId: string }).dealId);
    const run = recordRun(call.body);
    const claim = await h.call('POST', '/api/v1/claims', {
      handoff: 'kickoff',
      execution: { id: run, workflowId: '101' },
      items: [{ key: dealId }],
    });
    if (claim.body.results[0].decision !== 'new') return { status: 200, body: { duplicate: true } };
    if (target === 'up') {
      await h.call('POST', '/api/v1/claims/complete', { handoff: 'kickoff', keys: [dealId] });
    } else {
      await h.call('POST', '/api/v1/incidents', { ...failureReport(dealId), execution: { id: run, workflowId: '101' } });
      await h.call('POST', '/api/v1/claims/release', { handoff: 'kickoff', keys: [dealId], reason: 'task board down' });
    }
    return { status: 200 };
  };
  const failureReport = (dealId: string) => ({
    handoff: 'kickoff',
    dedupKey: `kickoff:request_failed:${dealId}`,
    title: `request_failed in Create project: POST /projects failed after 3 attempts: HTTP 503`,
    kind: 'request_failed',
    idempotencyKey: dealId,
  });
  /** n8n records every run with what its webhook received (headers included: n8n keeps them, the monitor must not). */
  const recordRun = (body: unknown) =>
    h.n8n.add({
      workflowId: '101',
      status: 'success',
      data: {
        runData: {
          [WEBHOOK_NODE.name]: [
            {
              startTime: h.clock.now,
              executionStatus: 'success',
              data: { main: [[{ json: { headers: { authorization: 'Bearer crm-secret' }, params: {}, query: {}, body } }]] },
            },
          ],
        },
      },
    }).id;
  let lastRun = '';
  const lastExecutionId = () => lastRun;

  /** A deal whose first run failed: its n8n execution (with the webhook input) and its incident. */
  const failDeal = async (dealId: string) => {
    lastRun = recordRun({ dealId, amount: 1200 });
    await h.call('POST', '/api/v1/claims', { handoff: 'kickoff', execution: { id: lastRun, workflowId: '101' }, items: [{ key: dealId }] });
    const incident = await h.call('POST', '/api/v1/incidents', { ...failureReport(dealId), execution: { id: lastRun, workflowId: '101' } });
    await h.call('POST', '/api/v1/claims/release', { handoff: 'kickoff', keys: [dealId] });
    return incident.body.incident.id as number;
  };

  beforeEach(async () => {
    sent = [];
    h = await startCollectorHarness({ deps: { alertSender: async (alert) => void sent.push(alert), replayOutcomeTimeoutMs: 5_000 } });
    h.n8n.putWorkflow({ id: '101', name: 'Kickoff', active: true, nodes: [WEBHOOK_NODE] });
    h.n8n.onWebhook = playKickoff;
    target = 'down';
  });
  afterEach(async () => {
    await h.stop();
  });

  it('lists the failed deal in the queue; replay once the target is back recovers it and resolves its incident', async () => {
    const id = await failDeal('deal-42');
    await h.monitor.outcomes.flush();
    const queue = await h.call('GET', '/api/v1/queue?handoff=kickoff');
    expect(queue.status).toBe(200);
    expect(queue.body.entries).toEqual([
      expect.objectContaining({
        handoff: 'kickoff',
        key: 'deal-42',
        kind: 'request_failed',
        owner: { name: 'Dana Ops', channel: '#delivery-ops' },
        incident: expect.objectContaining({ id }),
      }),
    ]);

    const dry = await h.call('POST', `/api/v1/incidents/${id}/replay`, { dryRun: true });
    expect(dry.body).toEqual({ dryRun: true, planned: [expect.objectContaining({ key: 'deal-42', kind: 'request_failed' })] });
    expect(h.n8n.webhookCalls).toHaveLength(0);

    target = 'up';
    const replay = await h.call('POST', `/api/v1/incidents/${id}/replay`, {});
    expect(replay.body).toEqual({
      result: { handoff: 'kickoff', key: 'deal-42', outcome: 'recovered', message: 'completed at attempt 2' },
    });
    // The input n8n recorded, re-delivered; never the original headers.
    expect(h.n8n.webhookCalls).toEqual([
      expect.objectContaining({ method: 'POST', path: 'handoff-kickoff', body: { dealId: 'deal-42', amount: 1200 } }),
    ]);
    expect(h.n8n.webhookCalls[0].headers.authorization).toBeUndefined();
    expect(h.n8n.webhookCalls[0].headers['x-handoff-replay-of']).toBe(lastExecutionId());

    expect((await h.call('GET', `/api/v1/incidents/${id}`)).body.incident).toMatchObject({
      state: 'resolved',
      resolution: 'recovered: completed at attempt 2',
    });
    expect((await h.call('GET', '/api/v1/queue')).body.entries).toEqual([]);
    await h.monitor.alerts.flush();
    expect(sent.map((a: any) => a.kind)).toEqual(['opened', 'recovered']);
    await h.monitor.stalls.tick(); // moves the rolling windows
    const metrics = await h.metrics();
    expect(metrics).toMatch(/handoff_time_to_recovery_seconds_count 1/);
    expect(metrics).toMatch(/handoff_failed_sync_ratio\{handoff="kickoff",window="1h"\} 1/);

    // A second replay is refused with the reason, and nothing is delivered.
    const again = await h.call('POST', `/api/v1/incidents/${id}/replay`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/deal-42 already completed at .* \(attempt 2\): nothing to replay/);
    expect(h.n8n.webhookCalls).toHaveLength(1);
  });

  it('replay all stops at the first replay that fails again, so a still-broken target is not hammered', async () => {
    for (const deal of ['deal-1', 'deal-2', 'deal-3', 'deal-4', 'deal-5']) await failDeal(deal);
    await h.monitor.outcomes.flush();
    const dry = await h.call('POST', '/api/v1/replays', { handoff: 'kickoff', kind: 'request_failed', dryRun: true });
    expect(dry.body.planned.map((p: any) => p.key)).toEqual(['deal-1', 'deal-2', 'deal-3', 'deal-4', 'deal-5']);

    const run = await h.call('POST', '/api/v1/replays', { handoff: 'kickoff', kind: 'request_failed', concurrency: 1 });
    expect(run.body.results.map((r: any) => [r.key, r.outcome])).toEqual([
      ['deal-1', 'failed_again'],
      ['deal-2', 'skipped'],
      ['deal-3', 'skipped'],
      ['deal-4', 'skipped'],
      ['deal-5', 'skipped'],
    ]);
    expect(run.body.stopped).toEqual({ key: 'deal-1', reason: expect.stringContaining('failed again') });
    expect(h.n8n.webhookCalls).toHaveLength(1);
    // Still queued, and the repeat was folded into the open incident: one owner alert per deal, no more.
    expect((await h.call('GET', '/api/v1/queue')).body.entries).toHaveLength(5);
    await h.monitor.alerts.flush();
    // Past the alert group window, the alerts held for one digest go out too; count the alerts each message carried.
    h.clock.now += 60_000;
    await h.monitor.alerts.flush();
    const opened = sent.flatMap((d: any) => d.alerts ?? [d]).filter((a: any) => a.kind === 'opened');
    expect(opened.map((a: any) => a.incidentId).sort()).toEqual([...new Set(opened.map((a: any) => a.incidentId))].sort());
    expect(opened).toHaveLength(5);

    target = 'up';
    const fixed = await h.call('POST', '/api/v1/replays', { handoff: 'kickoff', kind: 'request_failed' });
    expect(fixed.body.results.map((r: any) => r.outcome)).toEqual(['recovered', 'recovered', 'recovered', 'recovered', 'recovered']);
    expect(fixed.body.stopped).toBeNull();
    expect((await h.call('GET', '/api/v1/queue')).body.entries).toEqual([]);
    // Each deal delivered once more, none twice.
    const delivered = h.n8n.webhookCalls.map((c) => (c.body as { dealId: string }).dealId);
    expect(delivered.filter((d) => d === 'deal-1')).toHaveLength(2);
    for (const d of ['deal-2', 'deal-3', 'deal-4', 'deal-5']) expect(delivered.filter((x) => x === d)).toHaveLength(1);
  });

  it('refuses with what to do when n8n no longer has the execution, and says which field is wrong on bad input', async () => {
    const id = await failDeal('deal-9');
    h.n8n.remove(lastExecutionId());
    const replay = await h.call('POST', `/api/v1/incidents/${id}/replay`, {});
    expect(replay.body).toMatchObject({ result: { key: 'deal-9', outcome: 'refused' } });
    expect(replay.body.result.message).toMatch(/n8n no longer has execution/);
    expect(h.n8n.webhookCalls).toHaveLength(0);

    const bad = await h.call('POST', '/api/v1/replays', { handoff: 'kickoff', concurrency: 50 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/concurrency/);
    const noToken = await fetch(`${h.monitor.url}/api/v1/replays`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"handoff":"kickoff"}',
    });
    expect(noToken.status).toBe(401);
    expect((await h.call('POST', '/api/v1/incidents/999/replay', {})).status).toBe(404);
  });

  it('records who asked: `by` in the API body, the name given at sign-in on the dashboard, nobody when neither names one', async () => {
    const id = await failDeal('deal-50');
    await h.monitor.outcomes.flush();
    /** Who each `replayed` checkpoint of deal-50 names, in order. */
    const askers = async () =>
      (await h.monitor.store.events.trace('kickoff', 'deal-50'))
        .filter((e) => e.kind === 'replayed')
        .map((e) => ({ by: e.details?.by, via: e.details?.via }));

    const one = await h.call('POST', `/api/v1/incidents/${id}/replay`, { by: '  Sam   Lead ' });
    expect(one.body.result.outcome).toBe('failed_again');
    await h.call('POST', '/api/v1/replays', { handoff: 'kickoff', keys: ['deal-50'], by: 'Bulk Bob' });
    await h.call('POST', `/api/v1/incidents/${id}/replay`, {});
    const bad = await h.call('POST', `/api/v1/incidents/${id}/replay`, { by: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/by must be text: the name of who asks for the replay/);

    // The dashboard: signed in with a name, from the incident page and from the queue.
    const form = (path: string, fields: Record<string, string>, cookie?: string) =>
      fetch(`${h.monitor.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.monitor.url, ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });
    const signIn = await form('/login', { token: TOKEN, name: 'Priya Delivery', next: '/' });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    const page = await (await fetch(`${h.monitor.url}/incidents/${id}`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    expect((await form(`/incidents/${id}/replay`, { csrf: csrf!, back: `/incidents/${id}` }, cookie)).status).toBe(303);
    expect((await form('/queue/replay', { csrf: csrf!, handoff: 'kickoff', key: 'deal-50', back: '/queue' }, cookie)).status).toBe(303);

    expect(await askers()).toEqual([
      { by: 'Sam Lead', via: 'api' },
      { by: 'Bulk Bob', via: 'api' },
      { by: undefined, via: 'api' },
      { by: 'Priya Delivery', via: 'dashboard' },
      { by: 'Priya Delivery', via: 'dashboard' },
    ]);
    // Every replay failed again: each was delivered once, none refused before it ran.
    expect(h.n8n.webhookCalls).toHaveLength(5);
  });

  it("an incident the nightly reconcile opened, joined later by the kickoff's failure, replays the kickoff's run", async () => {
    h.n8n.putWorkflow({
      id: '300',
      name: 'Nightly reconcile',
      active: true,
      nodes: [{ name: 'Every night', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, parameters: {} }],
    });
    const nightly = h.n8n.add({
      workflowId: '300',
      status: 'success',
      data: { runData: { 'Every night': [{ startTime: h.clock.now, executionStatus: 'success', data: { main: [[{ json: {} }]] } }] } },
    }).id;
    const opened = await h.call('POST', '/api/v1/incidents', {
      handoff: 'kickoff',
      dedupKey: 'kickoff:reconcile_missing:deal-60',
      title: 'Deal deal-60 is closed-won but has no project',
      kind: 'reconcile_missing',
      idempotencyKey: 'deal-60',
      execution: { id: nightly, workflowId: '300', workflowName: 'Nightly reconcile' },
    });
    // The CRM sends the deal again; the kickoff runs and fails, and its report joins the reconcile's incident.
    const id = await failDeal('deal-60');
    expect(id).toBe(opened.body.incident.id);
    expect((await h.call('GET', `/api/v1/incidents/${id}`)).body.incident).toMatchObject({ count: 2, execution: { id: nightly } });

    target = 'up';
    const replay = await h.call('POST', `/api/v1/incidents/${id}/replay`, {});
    expect(replay.body.result).toMatchObject({ key: 'deal-60', outcome: 'recovered' });
    expect(h.n8n.webhookCalls).toHaveLength(1);
    expect(h.n8n.webhookCalls[0].headers['x-handoff-replay-of']).toBe(lastExecutionId());
  });
});
