/**
 * The dashboard's ack and resolve forms go through the same guard as replay (dashboard/routes.ts
 * `actor`): another site's request is refused before anything else is looked at — even with a
 * valid session and CSRF token, or the bearer token — and a same-site form with the page's CSRF
 * token acts. Over real HTTP; the browser flow is test/browser/dashboard.test.ts.
 */
import { startTestMonitor, type TestMonitor } from '../support/monitor';

const EVIL = 'https://evil.example';

let m: TestMonitor;
beforeAll(async () => {
  m = await startTestMonitor();
});
afterAll(() => m?.close());

async function post(path: string, fields: Record<string, string>, headers: Record<string, string>) {
  const res = await fetch(`${m.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return {
    status: res.status,
    location: res.headers.get('location') ?? '',
    setCookie: res.headers.get('set-cookie') ?? '',
    body: await res.text(),
  };
}

const open = async (dedupKey: string): Promise<number> => {
  const r = await m.post('/api/v1/incidents', {
    handoff: 'kickoff',
    dedupKey,
    title: `Task board down (${dedupKey})`,
    kind: 'request_failed',
  });
  expect(r.status).toBe(201);
  return r.body.incident.id;
};
const stateOf = async (id: number) => (await m.request('GET', `/api/v1/incidents/${id}`)).body.incident.state;

/** A signed-in session and the CSRF token its incident page carries. */
async function signIn(id: number) {
  const cookie = (await post('/login', { token: m.token, next: '/' }, { origin: m.url })).setCookie.split(';')[0];
  const page = await (await fetch(`${m.url}/incidents/${id}`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  expect(csrf).toBeDefined();
  return { cookie, csrf: csrf! };
}

describe.each(['ack', 'resolve'] as const)('dashboard %s', (action) => {
  it('refuses another site (by Origin or Sec-Fetch-Site) even with a session and its CSRF token, or the bearer token', async () => {
    const id = await open(`cross-${action}`);
    const { cookie, csrf } = await signIn(id);
    const fields = { csrf, back: `/incidents/${id}` };
    const crossSite: Record<string, string>[] = [
      { origin: EVIL, cookie },
      { 'sec-fetch-site': 'cross-site', cookie },
      { origin: EVIL, authorization: `Bearer ${m.token}` },
    ];
    for (const headers of crossSite) {
      const r = await post(`/incidents/${id}/${action}`, fields, headers);
      expect(r.status).toBe(403);
      expect(r.body).toContain('This request came from another site');
      expect(r.body).toContain('acknowledge or resolve incidents from the dashboard itself.');
    }
    expect(await stateOf(id)).toBe('open');
  });

  it("refuses a same-site form without the page's CSRF token, and one with no sign-in at all", async () => {
    const id = await open(`csrf-${action}`);
    const { cookie } = await signIn(id);
    const forged = await post(`/incidents/${id}/${action}`, { csrf: 'guess', back: `/incidents/${id}` }, { origin: m.url, cookie });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('The form is out of date or did not come from this dashboard');
    const anonymous = await post(`/incidents/${id}/${action}`, { back: `/incidents/${id}` }, { origin: m.url });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toContain('Sign in with the monitor token to acknowledge or resolve incidents.');
    expect(await stateOf(id)).toBe('open');
  });

  it("acts on a same-site form with the page's CSRF token, and for a script with the bearer token", async () => {
    const id = await open(`same-${action}`);
    const { cookie, csrf } = await signIn(id);
    const done = action === 'ack' ? 'acknowledged' : 'resolved';
    const r = await post(
      `/incidents/${id}/${action}`,
      { csrf, back: `/incidents/${id}` },
      { origin: m.url, 'sec-fetch-site': 'same-origin', cookie },
    );
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/incidents/${id}?done=${encodeURIComponent(`${id} ${done}`)}`);
    expect(await stateOf(id)).toBe(done);

    const scripted = await open(`script-${action}`);
    expect((await post(`/incidents/${scripted}/${action}`, {}, { authorization: `Bearer ${m.token}` })).status).toBe(303);
    expect(await stateOf(scripted)).toBe(done);
  });
});
