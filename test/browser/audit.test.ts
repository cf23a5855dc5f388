/**
 * The audit on the dashboard, in real headless Chromium (Debian's, driven by playwright-core): the
 * /audit page behind the same sign-in as the other pages, its findings most severe first, each
 * workflow's row with its findings, the systems and the draft contract; the map drawing what n8n
 * runs but the contract lacks dashed and grey, a click on a dashed arrow landing on its findings;
 * hostile workflow names staying text; n8n down said in a sentence. The dashboard router is mounted
 * as app.ts mounts it, over a real monitor's store and contract, with the audit source reading
 * the fake n8n over HTTP. Screenshots land in test-artifacts/screenshots/.
 */
import { spawnSync } from 'child_process';
import express from 'express';
import { mkdirSync } from 'fs';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createAuditSource } from '../../monitor/src/audit/source';
import { createN8nClient } from '../../monitor/src/collector/n8n-client';
import { dashboardRoutes } from '../../monitor/src/dashboard/routes';
import { DISCOVERED_COLOUR } from '../../monitor/src/dashboard/views/map';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import * as W from '../unit/audit-workflows';

jest.setTimeout(180_000);

const REPO = join(__dirname, '..', '..');
const SHOTS = join(REPO, 'test-artifacts', 'screenshots');
const E = W.TEMPLATE_ERROR_WORKFLOW_ID;
const IDS = { retriedPost: 'wf-pipedrive', unpublishedErrors: 'wf-typeform', unresolvedUrl: 'wf-webflow', noComplete: 'wf-calendly' };
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

let fake: FakeN8n;
let m: TestMonitor;
let server: Server;
let url: string;
let browser: Browser;
let context: BrowserContext;
const dialogs: string[] = [];
const consoleErrors: string[] = [];

function put(json: W.WorkflowJson, id: string, published: boolean, tags: string[] = []): void {
  fake.setWorkflow(id, tags, json.name);
  fake.putWorkflow({
    id,
    name: json.name,
    active: published,
    activeVersionId: published ? `v-${id}` : null,
    isArchived: json.isArchived ?? false,
    nodes: json.nodes,
    connections: json.connections,
    settings: json.settings,
  });
}

beforeAll(async () => {
  const provision = spawnSync('bash', [join(REPO, 'test', 'harness', 'provision-system.sh'), 'chromium'], { stdio: 'inherit' });
  if (provision.status !== 0) throw new Error('could not provision Debian chromium (test/harness/provision-system.sh chromium)');
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeN8n();
  const t = W.templates();
  put(t['sales-to-delivery-kickoff.json'], 'kickoff', true, ['handoff-kickoff']);
  put(t['error-workflow.json'], E, true);
  put(t['nightly-reconcile.json'], 'reconcile', true);
  put(t['handoff-smoke-test.json'], 'smoke', true);
  put(W.unguarded(), 'wf-unguarded', false);
  put(W.retriedPost(E), IDS.retriedPost, false);
  put(W.briefErrorWorkflow(), 'wf-brief-errors', false);
  put(W.unpublishedErrors('wf-brief-errors'), IDS.unpublishedErrors, false);
  put(W.unresolvedUrl(E), IDS.unresolvedUrl, false);
  put(W.noComplete(E), IDS.noComplete, false);
  put(W.archived(), 'wf-archived', false);
  // A hostile name on a workflow that only reads: it must stay text everywhere.
  put(
    {
      name: HOSTILE,
      nodes: [
        { name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        {
          name: `Read ${HOSTILE}`,
          type: 'n8n-nodes-base.httpRequest',
          typeVersion: 4.2,
          position: [200, 0],
          parameters: { url: '={{ $json["a<b>"] }}', options: {} },
        },
      ],
      connections: { Start: { main: [[{ node: `Read ${HOSTILE}`, type: 'main', index: 0 }]] } },
      settings: {},
    },
    'wf-hostile',
    false,
  );

  m = await startTestMonitor({ contract: W.plantedContract(IDS) });
  const app = express();
  app.use(
    dashboardRoutes({
      store: m.monitor.store,
      contracts: m.monitor.contracts,
      token: m.token,
      public: false,
      now: Date.now,
      n8nBaseUrl: fake.url,
      // Read again on every page, so the test can take n8n down and see it said.
      audit: createAuditSource({
        client: createN8nClient({ baseUrl: fake.url, apiKey: fake.apiKey }),
        contracts: m.monitor.contracts,
        n8nBaseUrl: fake.url,
        ttlMs: 0,
      }),
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await m?.close();
  await fake?.close();
});

function watch(page: Page): Page {
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && new URL(page.url()).pathname !== '/login') consoleErrors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe('the audit in Chromium', () => {
  let page: Page;

  it('is behind the same sign-in as the other pages', async () => {
    page = watch(await context.newPage());
    const anonymous = await fetch(`${url}/audit`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Faudit');
    await page.goto(`${url}/audit`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', m.token);
    await Promise.all([page.waitForURL(`${url}/audit`), page.click('button[type=submit]')]);
    expect(await page.locator('nav a.here').textContent()).toBe('Audit');
  });

  it('lists the findings most severe first, each with workflow, node, why and fix', async () => {
    expect(await page.locator('[data-audit-state="ok"]').count()).toBe(1);
    const rows = page.locator('tr[data-finding]');
    // The planted gaps, and the hostile workflow's URL, which an expression hides (a low note).
    expect(await rows.count()).toBe(W.PLANTED_FINDINGS.length + 1);
    const severities = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-severity')));
    expect(severities).toEqual([...Array(6).fill('high'), ...Array(5).fill('medium'), ...Array(3).fill('low')]);
    const noGate = page.locator('tr[data-finding][data-rule="no-gate"]').first();
    await expect(noGate.textContent()).resolves.toContain(
      "A repeated HubSpot event runs 'Create Asana task' again and creates a second task in Asana.",
    );
    await expect(noGate.locator('td').nth(4).textContent()).resolves.toMatch(/^Put an Idempotency Gate/);
    await expect(page.locator('.card .big').first().textContent()).resolves.toBe('11');
    await shot(page, 'audit-1-page');
  });

  it('shows each workflow with its systems, safeguards and findings, the systems, and the draft contract', async () => {
    const row = page.locator('tr#wf-wf-unguarded');
    await expect(row.getAttribute('data-role')).resolves.toBe('handoff');
    await expect(row.textContent()).resolves.toMatch(/HubSpot trigger \(deal\.propertyChange\)/);
    await expect(row.textContent()).resolves.toMatch(/claim no · complete n\/a · retries none · QA no · exception path no/);
    expect(await page.locator('tr[data-findings-of="wf-unguarded"] ul.reasons li').count()).toBe(7);
    await expect(page.locator('tr#wf-wf-webflow').textContent()).resolves.toContain('{{ $vars.CRM_BASE_URL }}/api/leads');
    await expect(page.locator('tr#wf-kickoff').textContent()).resolves.toContain('sales-to-delivery-kickoff');
    expect(await page.locator('tr#wf-wf-archived').count()).toBe(0);
    await expect(page.locator('tr#system-hubspot').getAttribute('data-in-contract')).resolves.toBe('no');
    await expect(page.locator('tr#system-taskboard').getAttribute('data-in-contract')).resolves.toBe('yes');
    await expect(page.locator('pre[data-draft]').textContent()).resolves.toMatch(/workflows: \["wf-unguarded"\]\n\s+owner: \{ name: "" \}/);
    await page.locator('table.workflows').screenshot({ path: join(SHOTS, 'audit-3-workflows.png') });
  });

  it('keeps hostile workflow names as text', async () => {
    await expect(page.getByText(HOSTILE, { exact: true }).first().isVisible()).resolves.toBe(true);
    expect(await page.locator('img').count()).toBe(0);
  });

  it('draws the handoffs n8n runs but the contract lacks dashed and grey on the map, each linking to its findings', async () => {
    await page.goto(`${url}/map`);
    const dashed = page.locator('a.handoff[data-discovered="true"]');
    expect(await dashed.count()).toBe(2);
    expect(await dashed.evaluateAll((as) => as.map((a) => a.getAttribute('data-workflow')))).toEqual(['wf-unguarded', 'wf-unguarded']);
    for (const arrow of await dashed.locator('path.arrow').all()) {
      expect(await arrow.getAttribute('stroke')).toBe(DISCOVERED_COLOUR);
      expect(await arrow.getAttribute('stroke-dasharray')).toBeTruthy();
    }
    // Systems the contract lacks: dashed boxes linking to the audit's systems table.
    const boxes = page.locator('g.system.discovered');
    expect((await boxes.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-system')))).sort()).toEqual(['google-drive', 'hubspot']);
    expect(await page.locator('g.system.discovered rect').first().getAttribute('stroke-dasharray')).toBeTruthy();
    expect(await page.locator('a.system-link').first().getAttribute('href')).toMatch(/^\/audit#system-/);
    // The contract's own handoff is still drawn as before, solid.
    expect(await page.locator('a[data-handoff="sales-to-delivery-kickoff"] path.arrow').count()).toBe(2);
    expect(
      await page.locator('a[data-handoff="sales-to-delivery-kickoff"] path.arrow').first().getAttribute('stroke-dasharray'),
    ).toBeNull();
    await expect(page.locator('[data-legend="discovered"]').textContent()).resolves.toContain('found in n8n, not in the contract');
    await shot(page, 'audit-2-map');

    await Promise.all([page.waitForURL(/\/audit#wf-wf-unguarded$/), dashed.first().locator('text').click()]);
    expect(await page.locator('tr:target').getAttribute('id')).toBe('wf-wf-unguarded');
    await expect(page.locator('tr:target + tr[data-findings-of] ul.reasons').textContent()).resolves.toContain(
      'creates a second task in Asana',
    );
  });

  it('says so when n8n cannot be read, on the audit page and on the map', async () => {
    fake.outage('down');
    try {
      await page.goto(`${url}/audit`);
      await expect(page.locator('[data-audit-state="error"]').textContent()).resolves.toMatch(
        /could not read n8n: n8n answered GET \/api\/v1\/workflows with HTTP 503/,
      );
      await page.goto(`${url}/map`);
      await expect(page.locator('[data-audit-note]').textContent()).resolves.toMatch(/could not read n8n .*only the contract is drawn/);
      expect(await page.locator('a.handoff[data-discovered="true"]').count()).toBe(0);
      expect(await page.locator('a[data-handoff="sales-to-delivery-kickoff"]').count()).toBe(2);
    } finally {
      fake.outage('up');
    }
  });

  it('fired no dialog and logged no console error', () => {
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
