/**
 * The dashboard behind a real TLS-terminating nginx (Debian's), in Chromium (issue 18 item 2): with
 * HANDOFF_TRUST_PROXY=loopback, sign-in, acknowledge and resolve work over https and the session
 * cookie is Secure (a replay is refused for want of n8n, with its reason); without the setting, the
 * sign-in page refuses and names HANDOFF_TRUST_PROXY. Screenshots land in test-artifacts/screenshots/.
 */
import { spawnSync } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startNginx, type NginxProxy } from '../harness/nginx';
import { startTestMonitor, type TestMonitor } from '../support/monitor';

jest.setTimeout(180_000);

const REPO = join(__dirname, '..', '..');
const SHOTS = join(REPO, 'test-artifacts', 'screenshots');

let trusting: TestMonitor;
let untrusting: TestMonitor;
let nginx: NginxProxy;
let browser: Browser;
let context: BrowserContext;
let incident: number;

const provision = (what: string) => {
  const run = spawnSync('bash', [join(REPO, 'test', 'harness', 'provision-system.sh'), what], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`could not provision Debian ${what} (test/harness/provision-system.sh ${what})`);
};

beforeAll(async () => {
  provision('chromium');
  provision('nginx');
  mkdirSync(SHOTS, { recursive: true });
  trusting = await startTestMonitor({ env: { HANDOFF_TRUST_PROXY: 'loopback' } });
  untrusting = await startTestMonitor();
  nginx = await startNginx([trusting.url, untrusting.url]);
  // Failed handoffs: deal-77 with an incident to acknowledge and resolve, deal-78 in the queue to replay.
  const failed = [
    { handoff: 'kickoff', key: 'deal-77', kind: 'request_failed' },
    { handoff: 'kickoff', key: 'deal-78', kind: 'request_failed' },
  ];
  expect((await trusting.post('/api/v1/events', { events: failed })).status).toBe(202);
  const opened = await trusting.post('/api/v1/incidents', {
    handoff: 'kickoff',
    dedupKey: 'taskboard-down',
    title: 'Task board returned 503 for deal 77',
    kind: 'request_failed',
    idempotencyKey: 'deal-77',
  });
  expect(opened.status).toBe(201);
  incident = opened.body.incident.id;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  // The certificate is a throw-away one nginx was given a moment ago.
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  await trusting?.close();
  await untrusting?.close();
});

const stateOf = async (id: number) => (await trusting.request('GET', `/api/v1/incidents/${id}`)).body.incident.state;

describe('behind nginx terminating TLS, with HANDOFF_TRUST_PROXY=loopback', () => {
  let page: Page;
  const base = () => nginx.urls[0];

  it('signs in over https into a Secure, HttpOnly, SameSite=Strict session', async () => {
    page = await context.newPage();
    await page.goto(`${base()}/incidents/${incident}`);
    expect(page.url()).toBe(`${base()}/login?next=%2Fincidents%2F${incident}`);
    await page.fill('#token', trusting.token);
    await Promise.all([page.waitForURL(`${base()}/incidents/${incident}`), page.click('button[type=submit]')]);
    const cookies = (await context.cookies(base())).filter((c) => c.name === 'hg_session');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', domain: '127.0.0.1' });
    await expect(page.locator('h1').textContent()).resolves.toContain('Task board returned 503 for deal 77');
    await page.screenshot({ path: join(SHOTS, 'proxy-1-incident.png'), fullPage: true });
  });

  it('acknowledges and resolves through the proxy', async () => {
    await Promise.all([page.waitForURL(/done=/), page.click('button[data-action="ack"]')]);
    expect(page.url().startsWith(`${base()}/incidents/${incident}?done=`)).toBe(true);
    expect(await stateOf(incident)).toBe('acknowledged');
    await Promise.all([page.waitForURL(/done=.*resolved/), page.click('button[data-action="resolve"]')]);
    expect(await stateOf(incident)).toBe('resolved');
    await expect(page.locator('.flash').first().textContent()).resolves.toContain('resolved');
  });

  it('a replay from the queue passes the origin check and is refused for its own reason (no n8n)', async () => {
    await page.goto(`${base()}/queue`);
    await Promise.all([page.waitForURL(/done=/), page.click('tr[data-queue-key="deal-78"] button[data-action="replay"]')]);
    await expect(page.locator('.flash.bad').textContent()).resolves.toMatch(
      /^Replay of deal-78: refused — The monitor has no n8n to replay through/,
    );
    await page.screenshot({ path: join(SHOTS, 'proxy-2-replay-refused.png'), fullPage: true });
  });
});

describe('behind nginx terminating TLS, without HANDOFF_TRUST_PROXY', () => {
  it('refuses the sign-in with a page that says what to set, and sets no cookie', async () => {
    const base = nginx.urls[1];
    // Cookies belong to a host, not a port: a browser of its own, so the other monitor's session is not in the jar.
    const own = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await own.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#token', untrusting.token);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    expect(response.status()).toBe(403);
    const message = await page.locator('.flash.bad').textContent();
    expect(message).toContain(
      'This request came through a reverse proxy that terminates TLS (X-Forwarded-Proto: https), and the monitor does not trust proxies',
    );
    expect(message).toContain(`your browser is at ${base}`);
    expect(message).toContain("Set HANDOFF_TRUST_PROXY to the proxy's address (127.0.0.1 here) or to 1");
    expect((await own.cookies(base)).filter((c) => c.name === 'hg_session')).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'proxy-3-untrusted.png'), fullPage: true });
    await own.close();
  });
});
