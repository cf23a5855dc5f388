/**
 * Who acknowledged or resolved an incident is recorded (issue 18 item 5): a name given at sign-in on
 * the dashboard (stored in the session), or `by` in the API's ack/resolve body; shown on the incident
 * page and in the incident JSON as acknowledgedBy / resolvedBy. On both stores.
 */
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { storeKinds } from '../support/stores';

jest.setTimeout(60_000);

async function form(url: string, path: string, fields: Record<string, string>, cookie?: string) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, setCookie: res.headers.get('set-cookie') ?? '', body: await res.text() };
}

async function page(url: string, path: string, cookie: string) {
  const res = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

const report = (dedupKey: string) => ({ handoff: 'kickoff', dedupKey, title: `Task board down (${dedupKey})`, kind: 'request_failed' });

describe.each(storeKinds)('who acknowledged and resolved, on %s', (kind) => {
  let m: TestMonitor;
  beforeAll(async () => {
    m = await startTestMonitor({ store: kind });
  });
  afterAll(() => m?.close());

  const open = async (key: string): Promise<number> => {
    const r = await m.post('/api/v1/incidents', report(key));
    expect(r.status).toBe(201);
    return r.body.incident.id;
  };

  it('the API records `by` on ack and resolve, and the incident JSON carries acknowledgedBy and resolvedBy', async () => {
    const id = await open('api-by');
    const acked = await m.post(`/api/v1/incidents/${id}/ack`, { by: '  Dana   Ops ' });
    expect(acked.status).toBe(200);
    expect(acked.body.incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Dana Ops' });
    expect(acked.body.incident.resolvedBy).toBeUndefined();
    const resolved = await m.post(`/api/v1/incidents/${id}/resolve`, { by: 'Sam Lead' });
    expect(resolved.body.incident).toMatchObject({
      state: 'resolved',
      acknowledgedBy: 'Dana Ops',
      resolvedBy: 'Sam Lead',
      resolution: 'resolved by hand',
    });
    // Kept: the store has it, the list has it, a repeat does not overwrite it.
    expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident).toMatchObject({
      acknowledgedBy: 'Dana Ops',
      resolvedBy: 'Sam Lead',
    });
    expect((await m.post(`/api/v1/incidents/${id}/resolve`, { by: 'Someone else' })).body).toMatchObject({
      changed: false,
      incident: { resolvedBy: 'Sam Lead' },
    });
    const listed = (await m.request('GET', '/api/v1/incidents?state=resolved')).body.incidents.find((i: { id: number }) => i.id === id);
    expect(listed).toMatchObject({ acknowledgedBy: 'Dana Ops', resolvedBy: 'Sam Lead' });
  });

  it('without a body (the nodes, older scripts) ack and resolve work as before and name nobody', async () => {
    const id = await open('no-body');
    const acked = await m.request('POST', `/api/v1/incidents/${id}/ack`);
    expect(acked.status).toBe(200);
    expect(acked.body.incident.state).toBe('acknowledged');
    expect('acknowledgedBy' in acked.body.incident).toBe(false);
    const resolved = await m.post(`/api/v1/incidents/${id}/resolve`, {});
    expect(resolved.status).toBe(200);
    expect('resolvedBy' in resolved.body.incident).toBe(false);
  });

  it('a bad `by` is a 400 naming it, and a secret typed as a name is redacted', async () => {
    const id = await open('bad-by');
    for (const [body, message] of [
      [{ by: 42 }, /by must be text/],
      [{ by: '   ' }, /by must not be empty/],
      [{ by: 'x'.repeat(201) }, /by must be at most 200 characters/],
      [{ who: 'Dana' }, /who/],
    ] as const) {
      const r = await m.post(`/api/v1/incidents/${id}/ack`, body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident.state).toBe('open');
    const r = await m.post(`/api/v1/incidents/${id}/ack`, {
      by: 'Dana Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
    });
    expect(r.body.incident.acknowledgedBy).toMatch(/^Dana /);
    expect(r.body.incident.acknowledgedBy).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });

  it('the name given at sign-in is recorded when the dashboard acknowledges and resolves, and shown on the incident page', async () => {
    const id = await open('dashboard');
    const login = await page(m.url, '/login', '');
    expect(login.body).toMatch(/<label for="name">Your name/);
    expect(login.body).toMatch(/<input id="name" name="name" type="text"/);

    const signIn = await form(m.url, '/login', { token: m.token, name: 'Priya Delivery', next: '/' });
    expect(signIn.status).toBe(303);
    const cookie = signIn.setCookie.split(';')[0];
    const act = async (action: 'ack' | 'resolve') => {
      const detail = await page(m.url, `/incidents/${id}`, cookie);
      const csrf = /name="csrf" value="([^"]+)"/.exec(detail.body)?.[1];
      expect(csrf).toBeDefined();
      expect((await form(m.url, `/incidents/${id}/${action}`, { csrf: csrf!, back: `/incidents/${id}` }, cookie)).status).toBe(303);
    };
    await act('ack');
    let detail = (await page(m.url, `/incidents/${id}`, cookie)).body;
    expect(detail).toMatch(/<dt>Acknowledged<\/dt><dd><time [^>]*>[^<]*<\/time> by <span data-acknowledged-by>Priya Delivery<\/span>/);
    await act('resolve');
    detail = (await page(m.url, `/incidents/${id}`, cookie)).body;
    expect(detail).toMatch(/<dt>Resolved<\/dt><dd><time [^>]*>[^<]*<\/time> by <span data-resolved-by>Priya Delivery<\/span>/);
    expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident).toMatchObject({
      acknowledgedBy: 'Priya Delivery',
      resolvedBy: 'Priya Delivery',
    });

    // Signed in without a name: the dashboard records nobody, as before.
    const anonymous = (await form(m.url, '/login', { token: m.token, next: '/' })).setCookie.split(';')[0];
    const other = await open('dashboard-anonymous');
    const csrf = /name="csrf" value="([^"]+)"/.exec((await page(m.url, `/incidents/${other}`, anonymous)).body)?.[1];
    expect((await form(m.url, `/incidents/${other}/ack`, { csrf: csrf!, back: `/incidents/${other}` }, anonymous)).status).toBe(303);
    const incident = (await m.request('GET', `/api/v1/incidents/${other}`)).body.incident;
    expect(incident.state).toBe('acknowledged');
    expect(incident.acknowledgedBy).toBeUndefined();
    expect((await page(m.url, `/incidents/${other}`, anonymous)).body).not.toContain('data-acknowledged-by');
  });

  it('a wrong token keeps the name in the form, and a name is escaped on the page', async () => {
    const wrong = await form(m.url, '/login', { token: 'not-the-token-0123456789', name: 'Dana <b>Ops</b>', next: '/' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('value="Dana &lt;b&gt;Ops&lt;/b&gt;"');
    const cookie = (await form(m.url, '/login', { token: m.token, name: 'Dana <b>Ops</b>', next: '/' })).setCookie.split(';')[0];
    const id = await open('escaped');
    const csrf = /name="csrf" value="([^"]+)"/.exec((await page(m.url, `/incidents/${id}`, cookie)).body)?.[1];
    await form(m.url, `/incidents/${id}/ack`, { csrf: csrf!, back: `/incidents/${id}` }, cookie);
    const detail = (await page(m.url, `/incidents/${id}`, cookie)).body;
    expect(detail).toContain('by <span data-acknowledged-by>Dana &lt;b&gt;Ops&lt;/b&gt;</span>');
  });
});
