/**
 * Dashboard sessions live in the store (issue 18 item 3): a sign-in survives a restart, works on any
 * replica of one Postgres database, and the store keeps only the hash of the session id. Expiry,
 * sign-out and the bound on sessions hold on both stores.
 */
import { createSessions, hashSessionId, SESSION_TTL_MS } from '../../monitor/src/dashboard/session';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { openTestStore } from '../support/open-store';
import { storeKinds } from '../support/stores';

jest.setTimeout(60_000);

async function form(url: string, path: string, fields: Record<string, string>, cookie?: string) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, setCookie: res.headers.get('set-cookie') ?? '' };
}

async function signIn(url: string, token: string): Promise<string> {
  const res = await form(url, '/login', { token, next: '/' });
  expect(res.status).toBe(303);
  const cookie = res.setCookie.split(';')[0];
  expect(cookie).toMatch(/^hg_session=[A-Za-z0-9_-]{43}$/);
  return cookie;
}

/** 200 with the page when the cookie is a live session; 303 to /login when it is not. */
async function page(url: string, path: string, cookie: string) {
  const res = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

async function ack(url: string, id: number, cookie: string) {
  const detail = await page(url, `/incidents/${id}`, cookie);
  expect(detail.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(detail.body)?.[1];
  expect(csrf).toBeDefined();
  return form(url, `/incidents/${id}/ack`, { csrf: csrf!, back: `/incidents/${id}` }, cookie);
}

describe('on SQLite, a session survives a restart of the monitor', () => {
  let m: TestMonitor;
  beforeAll(async () => {
    m = await startTestMonitor();
  });
  afterAll(() => m?.close());

  it('signed in before the restart, still signed in after it; signing out ends it', async () => {
    const cookie = await signIn(m.url, m.token);
    expect((await page(m.url, '/', cookie)).status).toBe(200);
    await m.restart();
    expect((await page(m.url, '/', cookie)).status).toBe(200);

    const body = (await page(m.url, '/', cookie)).body;
    const csrf = /action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/.exec(body)?.[1];
    expect(csrf).toBeDefined();
    expect((await form(m.url, '/logout', { csrf: csrf! }, cookie)).status).toBe(303);
    expect(await page(m.url, '/', cookie)).toMatchObject({ status: 303, location: '/login?next=%2F' });
    await m.restart();
    expect((await page(m.url, '/', cookie)).status).toBe(303);
  });

  it('the file holds the hash of the session id, never the id', async () => {
    const cookie = await signIn(m.url, m.token);
    const id = cookie.slice('hg_session='.length);
    const contents = await m.database.contents();
    expect(contents).not.toContain(id);
    expect(contents).toContain(hashSessionId(id));
  });

  it('a forged or malformed cookie is no session', async () => {
    for (const cookie of ['hg_session=' + 'A'.repeat(43), 'hg_session=../../etc', 'hg_session=']) {
      expect((await page(m.url, '/', cookie)).status).toBe(303);
    }
  });
});

describe('on Postgres, replicas share sessions', () => {
  let m: TestMonitor;
  let b: TestMonitor | undefined;
  beforeAll(async () => {
    m = await startTestMonitor({ store: 'postgres' });
  });
  afterAll(async () => {
    await b?.close();
    await m?.close();
  });

  it('signed in on replica A, the cookie works on replica B, and again after A restarts', async () => {
    // Replica B: the same database and token, a folder of its own.
    b = await startTestMonitor({ token: m.token, database: m.database });
    const cookie = await signIn(m.url, m.token);
    const opened = await m.post('/api/v1/incidents', { handoff: 'kickoff', dedupKey: 'taskboard-down', title: 'Task board returned 503' });
    expect(opened.status).toBe(201);
    const id = opened.body.incident.id as number;

    // B reads the session A wrote, shows the same CSRF token, and acts on it.
    expect((await page(b.url, '/', cookie)).status).toBe(200);
    expect((await ack(b.url, id, cookie)).status).toBe(303);
    expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident.state).toBe('acknowledged');

    await m.restart();
    expect((await page(m.url, '/', cookie)).status).toBe(200);
    expect((await page(b.url, `/incidents/${id}`, cookie)).status).toBe(200);

    // Signing out on B ends the session on A too.
    const csrf = /action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/.exec((await page(b.url, '/', cookie)).body)?.[1];
    expect((await form(b.url, '/logout', { csrf: csrf! }, cookie)).status).toBe(303);
    expect((await page(m.url, '/', cookie)).status).toBe(303);
  });
});

describe.each(storeKinds)('the session store on %s', (kind) => {
  it('a session expires after its time, and the number of sessions is bounded, oldest first', async () => {
    const s = await openTestStore(kind);
    try {
      const clock = { now: Date.parse('2026-03-02T09:00:00Z') };
      const sessions = createSessions(s.store.sessions, () => clock.now);
      const first = await sessions.create();
      expect(await sessions.get(first.id)).toMatchObject({ id: first.id, csrf: first.csrf, expiresAt: clock.now + SESSION_TTL_MS });
      clock.now += SESSION_TTL_MS - 1;
      expect(await sessions.get(first.id)).toBeDefined();
      clock.now += 1;
      expect(await sessions.get(first.id)).toBeUndefined();

      // The bound, with a small max through the store itself: the three newest stay.
      const rows = [1, 2, 3, 4, 5].map((i) => ({
        idHash: `h${i}`,
        csrf: `c${i}`,
        name: i === 5 ? 'Dana' : null,
        createdAt: clock.now + i,
        expiresAt: clock.now + 1_000_000,
      }));
      for (const row of rows) await s.store.sessions.create(row, { now: clock.now, max: 3 });
      const kept = await Promise.all(rows.map((r) => s.store.sessions.get(r.idHash, clock.now)));
      expect(kept.map((r) => r?.idHash ?? null)).toEqual([null, null, 'h3', 'h4', 'h5']);
      expect(kept[4]).toEqual(rows[4]);
      await s.store.sessions.destroy('h4');
      expect(await s.store.sessions.get('h4', clock.now)).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
