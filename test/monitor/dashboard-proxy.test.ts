/**
 * The dashboard behind a TLS-terminating reverse proxy (issue 18 item 2), over real HTTP with the
 * headers a proxy adds: with HANDOFF_TRUST_PROXY the origin check compares against the forwarded
 * scheme and host and the session cookie is Secure; without it (or with the proxy's address left
 * out) the refusal names the setting and the proxy's address. The same flow through a real nginx
 * in Chromium is test/browser/proxy.test.ts.
 */
import { request } from 'http';
import { startTestMonitor, type TestMonitor } from '../support/monitor';

const PUBLIC = 'https://handoffs.agency.example:8443';
const proxied = (extra: Record<string, string> = {}) => ({
  host: 'handoffs.agency.example:8443',
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '203.0.113.7',
  origin: PUBLIC,
  ...extra,
});

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** node:http, not fetch: fetch will not send the Host header a proxy sets. */
function http(m: TestMonitor, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(
      `${m.url}${path}`,
      { method, headers: { ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function form(m: TestMonitor, path: string, fields: Record<string, string>, headers: Record<string, string>) {
  const res = await http(
    m,
    'POST',
    path,
    { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    new URLSearchParams(fields).toString(),
  );
  const cookie = res.headers['set-cookie'];
  return {
    status: res.status,
    location: res.headers.location as string | undefined,
    cookie: Array.isArray(cookie) ? cookie.join('\n') : '',
    body: text(res.body),
  };
}

async function signIn(m: TestMonitor, headers: Record<string, string>) {
  return form(m, '/login', { token: m.token, next: '/incidents' }, headers);
}

async function openIncident(m: TestMonitor): Promise<number> {
  const res = await m.post('/api/v1/incidents', { handoff: 'kickoff', dedupKey: `d-${Math.random()}`, title: 'Task board returned 503' });
  expect(res.status).toBe(201);
  return res.body.incident.id;
}

async function csrfOf(m: TestMonitor, cookie: string, id: number, headers: Record<string, string>): Promise<string> {
  const res = await http(m, 'GET', `/incidents/${id}`, { ...headers, cookie });
  expect(res.status).toBe(200);
  const match = /name="csrf" value="([^"]+)"/.exec(res.body);
  expect(match).not.toBeNull();
  return match![1];
}

describe('behind a reverse proxy the monitor trusts (HANDOFF_TRUST_PROXY=loopback)', () => {
  let m: TestMonitor;
  beforeAll(async () => {
    m = await startTestMonitor({ env: { HANDOFF_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => m?.close());

  it('signs in with the forwarded origin and sets a Secure cookie; ack and resolve work with it', async () => {
    const login = await signIn(m, proxied());
    expect(login.status).toBe(303);
    expect(login.location).toBe('/incidents');
    expect(login.cookie).toMatch(/^hg_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    const cookie = login.cookie.split(';')[0];

    const id = await openIncident(m);
    const csrf = await csrfOf(m, cookie, id, proxied());
    for (const action of ['ack', 'resolve']) {
      const res = await form(m, `/incidents/${id}/${action}`, { csrf, back: `/incidents/${id}` }, { ...proxied(), cookie });
      expect(res.status).toBe(303);
    }
    expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident.state).toBe('resolved');
  });

  it('takes X-Forwarded-Host over Host, and a default port in either is the same origin', async () => {
    const viaForwardedHost = await signIn(m, proxied({ host: '127.0.0.1:5680', 'x-forwarded-host': 'handoffs.agency.example:8443' }));
    expect(viaForwardedHost.status).toBe(303);
    const defaultPort = await signIn(m, proxied({ host: 'handoffs.agency.example:443', origin: 'https://handoffs.agency.example' }));
    expect(defaultPort.status).toBe(303);
    expect(defaultPort.cookie).toContain('Secure');
  });

  it('still refuses another site, through the proxy too, saying which origin it saw', async () => {
    const res = await signIn(m, proxied({ origin: 'https://evil.example' }));
    expect(res.status).toBe(403);
    expect(res.body).toContain(
      `This request came from another site (https://evil.example, not ${PUBLIC}); sign in from the dashboard itself.`,
    );
    expect(res.cookie).toBe('');
  });

  it('a direct request without proxy headers keeps working (plain http, no Secure flag)', async () => {
    const res = await signIn(m, { origin: m.url });
    expect(res.status).toBe(303);
    expect(res.cookie).not.toContain('Secure');
  });

  it('a trusted proxy that does not send X-Forwarded-Proto is named, with the line to add', async () => {
    const res = await signIn(m, { host: 'handoffs.agency.example:8443', origin: PUBLIC });
    expect(res.status).toBe(403);
    expect(res.body).toContain('does not send X-Forwarded-Proto');
    expect(res.body).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
  });
});

describe('behind a reverse proxy the monitor does not trust', () => {
  it('without HANDOFF_TRUST_PROXY: sign-in and ack are refused, and the page says what to set', async () => {
    const m = await startTestMonitor();
    try {
      const login = await signIn(m, proxied());
      expect(login.status).toBe(403);
      expect(login.cookie).toBe('');
      expect(login.body).toContain(
        'This request came through a reverse proxy that terminates TLS (X-Forwarded-Proto: https), and the monitor does not trust proxies',
      );
      expect(login.body).toContain(`your browser is at ${PUBLIC} but the monitor sees http://handoffs.agency.example:8443`);
      expect(login.body).toContain(
        "Set HANDOFF_TRUST_PROXY to the proxy's address (127.0.0.1 here) or to 1 for the one proxy in front of the monitor",
      );

      // A session made directly (not through the proxy) cannot act through it either.
      const direct = await signIn(m, { origin: m.url });
      const cookie = direct.cookie.split(';')[0];
      const id = await openIncident(m);
      const csrf = await csrfOf(m, cookie, id, {});
      const ack = await form(m, `/incidents/${id}/ack`, { csrf }, { ...proxied(), cookie });
      expect(ack.status).toBe(403);
      expect(ack.body).toContain('Set HANDOFF_TRUST_PROXY');
      expect((await m.request('GET', `/api/v1/incidents/${id}`)).body.incident.state).toBe('open');
    } finally {
      await m.close();
    }
  });

  it("with HANDOFF_TRUST_PROXY naming another address: the page names the proxy's address to add", async () => {
    const m = await startTestMonitor({ env: { HANDOFF_TRUST_PROXY: '10.0.0.5' } });
    try {
      const login = await signIn(m, proxied());
      expect(login.status).toBe(403);
      expect(login.body).toContain(
        'This request came through a reverse proxy at 127.0.0.1 (X-Forwarded-Proto: https) that HANDOFF_TRUST_PROXY (10.0.0.5) does not trust',
      );
      expect(login.body).toContain('Add 127.0.0.1 to HANDOFF_TRUST_PROXY');
    } finally {
      await m.close();
    }
  });

  it('an untrusted client cannot claim https with forged headers: its cookie is not Secure', async () => {
    const m = await startTestMonitor();
    try {
      const res = await signIn(m, { origin: m.url, 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(303);
      expect(res.cookie).not.toContain('Secure');
    } finally {
      await m.close();
    }
  });
});
