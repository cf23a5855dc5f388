/** The incidents API over real HTTP: dedup under a storm, owner routing, filters, ack/resolve, bad input. */
import { waitFor } from '../support/wait';
import { Harness, report, Sink, startHarness, startSink, T0 } from './incidents-helpers';
import { storeKinds } from '../support/stores';

describe.each(storeKinds)('incidents API on %s', (kind) => {
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

  describe('deduplication', () => {
    it('turns a storm of 50 identical failures into one incident and one alert', async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => h.call('POST', '/api/v1/incidents', report())));

      expect(answers.map((a) => a.status).sort()).toEqual([...Array(49).fill(200), 201].sort());
      expect(answers.filter((a) => a.body.deduplicated === false)).toHaveLength(1);
      expect(new Set(answers.map((a) => a.body.incident.id)).size).toBe(1);
      const { body } = await h.call('GET', '/api/v1/incidents?handoff=kickoff');
      expect(body.incidents).toHaveLength(1);
      expect(body.incidents[0]).toMatchObject({ count: 50, state: 'open' });

      await h.monitor.alerts.flush();
      expect(sink.requests).toHaveLength(1);
      expect(await h.monitor.store.incidents.outbox.list()).toHaveLength(1);
    });

    it('updates count and last seen, keeps the first owner and SLA, raises severity but never lowers it', async () => {
      const first = await h.call('POST', '/api/v1/incidents', report({ severity: 'medium' }));
      h.clock.now = T0 + 60_000;
      const second = await h.call('POST', '/api/v1/incidents', report({ severity: 'critical', error: { message: 'second' } }));
      h.clock.now = T0 + 120_000;
      const third = await h.call('POST', '/api/v1/incidents', report({ severity: 'low', owner: 'Someone Else' }));

      expect(first.status).toBe(201);
      expect(second.body).toMatchObject({ deduplicated: true, incident: { id: first.body.incident.id, count: 2, severity: 'critical' } });
      expect(third.body.incident).toMatchObject({
        count: 3,
        severity: 'critical',
        owner: { name: 'Dana Ops' },
        firstSeenAt: new Date(T0).toISOString(),
        lastSeenAt: new Date(T0 + 120_000).toISOString(),
        slaDueAt: first.body.incident.slaDueAt,
        error: { message: 'second' },
      });
    });

    it('keeps different dedup keys apart, and opens a new incident once the old one is resolved', async () => {
      const a = await h.call('POST', '/api/v1/incidents', report());
      const b = await h.call('POST', '/api/v1/incidents', report({ dedupKey: 'kickoff:request_failed:deal-43' }));
      expect(b.body.incident.id).not.toBe(a.body.incident.id);

      await h.call('POST', `/api/v1/incidents/${a.body.incident.id}/resolve`);
      const again = await h.call('POST', '/api/v1/incidents', report());
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ deduplicated: false, incident: { count: 1, state: 'open' } });
      expect(again.body.incident.id).not.toBe(a.body.incident.id);
    });
  });

  describe('owner and SLA from the contract', () => {
    it.each([
      ['invalid', undefined, { name: 'Sam Sales', channel: '#sales-ops' }, 'route'],
      ['request_failed', undefined, { name: 'Dana Ops', channel: '#delivery-ops' }, 'route'],
      ['qa_failed', undefined, { name: 'Dana Ops', channel: '#delivery-ops' }, 'handoff'],
      ['invalid', 'Pat Override', { name: 'Pat Override' }, 'request'],
      ['invalid', { name: 'Pat', channel: '#pat' }, { name: 'Pat', channel: '#pat' }, 'request'],
    ])('kind %s with owner override %j → %j (%s)', async (kind, owner, expected, source) => {
      const { body } = await h.call('POST', '/api/v1/incidents', report({ kind, dedupKey: `k-${kind}`, ...(owner ? { owner } : {}) }));
      expect(body.incident.owner).toEqual(expected);
      expect(body.incident.ownerSource).toBe(source);
    });

    it("takes the SLA from the handoff's exceptionSla, the request's slaSeconds, or 48h by default", async () => {
      const fromContract = await h.call('POST', '/api/v1/incidents', report());
      const overridden = await h.call('POST', '/api/v1/incidents', report({ dedupKey: 'other', slaSeconds: 600 }));
      const defaulted = await h.call('POST', '/api/v1/incidents', report({ handoff: 'no-oncall', dedupKey: 'x' }));
      expect(fromContract.body.incident.slaDueAt).toBe(new Date(T0 + 2 * 3_600_000).toISOString());
      expect(overridden.body.incident.slaDueAt).toBe(new Date(T0 + 600_000).toISOString());
      // no-oncall has no exceptionSla in the contract: the schema's default, 48h.
      expect(defaulted.body.incident.slaDueAt).toBe(new Date(T0 + 48 * 3_600_000).toISOString());
    });
  });

  describe('list, ack and resolve', () => {
    it('filters by handoff, state and owner (name or channel)', async () => {
      const a = await h.call('POST', '/api/v1/incidents', report({ kind: 'invalid', dedupKey: 'a' }));
      await h.call('POST', '/api/v1/incidents', report({ dedupKey: 'b' }));
      await h.call('POST', '/api/v1/incidents', report({ handoff: 'no-oncall', dedupKey: 'c' }));
      await h.call('POST', `/api/v1/incidents/${a.body.incident.id}/ack`);

      const ids = async (q: string) =>
        (await h.call('GET', `/api/v1/incidents${q}`)).body.incidents.map((i: { dedupKey: string }) => i.dedupKey).sort();
      expect(await ids('')).toEqual(['a', 'b', 'c']);
      expect(await ids('?handoff=kickoff')).toEqual(['a', 'b']);
      expect(await ids('?state=acknowledged')).toEqual(['a']);
      expect(await ids('?state=open')).toEqual(['b', 'c']);
      expect(await ids('?state=unresolved')).toEqual(['a', 'b', 'c']);
      expect(await ids('?owner=Sam%20Sales')).toEqual(['a']);
      expect(await ids('?owner=%23delivery-ops')).toEqual(['b']);
      expect(await ids('?handoff=kickoff&state=open&owner=Dana%20Ops')).toEqual(['b']);
    });

    it('acknowledges, resolves, and refuses to acknowledge a resolved incident', async () => {
      const { body } = await h.call('POST', '/api/v1/incidents', report());
      const id = body.incident.id;
      h.clock.now = T0 + 1_000;
      const ack = await h.call('POST', `/api/v1/incidents/${id}/ack`);
      expect(ack.body).toMatchObject({
        changed: true,
        incident: { state: 'acknowledged', acknowledgedAt: new Date(T0 + 1_000).toISOString() },
      });
      expect((await h.call('POST', `/api/v1/incidents/${id}/ack`)).body.changed).toBe(false);

      const resolved = await h.call('POST', `/api/v1/incidents/${id}/resolve`);
      expect(resolved.body.incident).toMatchObject({ state: 'resolved', resolvedAt: new Date(T0 + 1_000).toISOString() });
      const late = await h.call('POST', `/api/v1/incidents/${id}/ack`);
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('incident_conflict');
      expect((await h.call('GET', `/api/v1/incidents/${id}`)).body.incident.state).toBe('resolved');
    });
  });

  describe('bad input is a 4xx naming the field, never a 500', () => {
    it.each([
      ['missing dedupKey', { handoff: 'kickoff', title: 't' }, 400, 'dedupKey'],
      ['empty title', report({ title: '' }), 400, 'title'],
      ['unknown severity', report({ severity: 'urgent' }), 400, 'severity'],
      ['kind not snake_case', report({ kind: 'Request Failed' }), 400, 'kind'],
      ['negative SLA', report({ slaSeconds: -5 }), 400, 'slaSeconds'],
      ['unknown field', report({ priority: 1 }), 400, '(body)'],
      ['owner of the wrong type', report({ owner: 42 }), 400, 'owner'],
      ['context not an object', report({ context: 'text' }), 400, 'context'],
      ['unknown handoff', report({ handoff: 'kickof' }), 404, 'handoff'],
    ])('%s', async (_name, body, status, field) => {
      const answer = await h.call('POST', '/api/v1/incidents', body);
      expect(answer.status).toBe(status);
      expect(answer.body.error.issues?.[0]?.path ?? answer.body.error.message).toContain(field);
    });

    it('refuses non-JSON, bad ids, unknown ids and bad filters with clear 4xx answers', async () => {
      expect((await h.call('POST', '/api/v1/incidents', 'not json', { 'Content-Type': 'application/json' })).status).toBe(400);
      expect((await h.call('POST', '/api/v1/incidents', 'x=1', { 'Content-Type': 'text/plain' })).status).toBe(415);
      const badId = await h.call('POST', '/api/v1/incidents/abc/ack');
      expect(badId.status).toBe(400);
      expect(badId.body.error.issues[0].path).toBe('id');
      expect((await h.call('POST', '/api/v1/incidents/999/resolve')).status).toBe(404);
      const badState = await h.call('GET', '/api/v1/incidents?state=closed');
      expect(badState.status).toBe(400);
      expect(badState.body.error.issues[0].path).toBe('state');
      expect((await h.call('GET', '/api/v1/incidents?color=red')).status).toBe(400);
      expect((await h.call('GET', '/api/v1/incidents', undefined, { Authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    });
  });

  it('delivers the owner alert as soon as the incident opens, without waiting for a tick', async () => {
    await h.call('POST', '/api/v1/incidents', report());
    await waitFor('the alert', () => sink.requests.length === 1);
    expect(sink.requests[0].headers['idempotency-key']).toMatch(/^incident-\d+-opened$/);
    expect(sink.requests[0].body.text).toContain('Dana Ops (#delivery-ops)');
  });
});
