/**
 * Issue 13's Verify section on the real n8n with the shipped kickoff (sales-to-delivery-kickoff.json
 * + error-workflow.json, tagged as the file ships so the monitor's collector maps its runs) and the
 * shipped nightly reconcile, against the mock CRM / task board / CMS / chat and a monitor on the
 * shipped contract that collects from this n8n and replays through it. One n8n for the file; the
 * scenarios run in order and each uses its own deals:
 *
 *   1. the task board is down → the Exception Router opens the incident → while it is open the
 *      failed sync rate is above 0, the detection time is recorded and the queue lists the deal;
 *   2. the board is back → *Replay* clicked on /queue in Chromium → one project, one folder, the
 *      incident resolved as recovered, recovery time recorded, queue empty, Monday "queues" green;
 *      chat per channel for the whole outage → recovery;
 *   3. 20 deals fail → 20 queue entries → *Replay all* with the board still down stops after the
 *      first repeat failure → board back → *Replay all* → 20 projects, none twice, queue empty;
 *   4. a dropped CRM webhook found by the nightly reconcile counts as a failed pair, detected from
 *      the deal's close time.
 *
 * Screenshots go to a temp folder of this run (printed, kept after the run).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Incident } from '../../protocol/incidents';
import { buildMonday } from '../../monitor/src/report/monday';
import { buildOverview } from '../../monitor/src/report/overview';
import { loadReportData } from '../../monitor/src/report/data';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import {
  addValidDeal,
  createTemplateCredentials,
  deploy,
  deployKickoff,
  HANDOFF,
  KICKOFF_PATH,
  loadTemplate,
  pointAt,
  setConfig,
  startTemplateMonitor,
  tagAsTemplate,
  TemplateMonitor,
  withWebhookTrigger,
} from './support/templates';
import { EXTERNAL, waitFor } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

/** The mock chat channel the monitor's HANDOFF_ALERT_WEBHOOK_URL posts to: the owner's alerts. */
const OWNER_ALERTS = 'owner-alerts';
/** Where the kickoff template posts its one message per failure (Config deliveryOpsChatUrl). */
const OPS = 'delivery-ops';
const RECONCILE_NOW = 'reconcile-now';
const BULK = 20;
/** The replay API's default pace (monitor/src/replay/pace.ts). */
const CONCURRENCY = 2;
const CHROMIUM = '/usr/bin/chromium';

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: TemplateMonitor;
let kickoffId: string;
let reconcileId: string;
let browser: Browser;
let page: Page;
const shotsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-replay-e2e-'));
const shots: string[] = [];
/** What the closing note needs, printed in afterAll. */
const report: Record<string, unknown> = {};
const timings: Record<string, number> = {};

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run test/harness/provision-system.sh chromium`);
  mock = await startAgencyMock();
  // The monitor needs the n8n's API key to collect and replay, so n8n comes first.
  const [started, launched] = await Promise.all([
    startN8n(),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    }),
  ]);
  n8n = started;
  browser = launched;
  monitor = await startTemplateMonitor({
    alertWebhookUrl: `${mock.url}/chat/webhook/${OWNER_ALERTS}`,
    n8n: { baseUrl: n8n.baseUrl, apiKey: n8n.apiKey },
  });
  const credentials = await createTemplateCredentials(n8n, monitor, 'tb-token-not-under-test');
  const deployed = await deployKickoff(n8n, mock, credentials);
  kickoffId = deployed.kickoffId;
  expect(await tagAsTemplate(n8n, kickoffId, 'sales-to-delivery-kickoff.json')).toEqual(['handoff-kickoff']);
  const reconcile = pointAt(loadTemplate('nightly-reconcile.json'), {
    mockUrl: mock.url,
    credentials,
    errorWorkflowId: deployed.errorWorkflowId,
  });
  // No grace period: the dropped deal was closed a moment ago, not an hour ago.
  setConfig(reconcile, 'graceMinutes', '0');
  reconcileId = await deploy(n8n, withWebhookTrigger(reconcile, 'Every night', RECONCILE_NOW), RECONCILE_NOW);
  page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
});

afterAll(async () => {
  console.log(`replay e2e: closing-note numbers\n${JSON.stringify(report, null, 2)}`);
  console.log(`replay e2e: timings (ms) ${JSON.stringify(timings)}`);
  console.log(`replay e2e: screenshots\n${shots.map((s) => `  ${s}`).join('\n')}`);
  await browser?.close();
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

afterEach(() => mock.clearFaults());

// ---------------------------------------------------------------------------------------------
// helpers

async function api<T = any>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${monitor.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${monitor.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function incident(id: number): Promise<Incident> {
  const { status, body } = await api<{ incident: Incident }>('GET', `/api/v1/incidents/${id}`);
  expect(status).toBe(200);
  return body.incident;
}

interface QueueWire {
  handoff: string;
  key: string;
  kind: string;
  owner?: { name: string; channel?: string };
  failedAt: string;
  failures: number;
  replays: number;
  incident?: { id: number; title: string; state: string };
}
async function queue(kind?: string): Promise<QueueWire[]> {
  const { status, body } = await api<{ entries: QueueWire[] }>(
    'GET',
    `/api/v1/queue?${new URLSearchParams({ handoff: HANDOFF, ...(kind ? { kind } : {}) })}`,
  );
  expect(status).toBe(200);
  return body.entries;
}

/** One sample of /metrics: `name` with at least these labels (NaN when absent). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${monitor.url}/metrics`, { headers: { authorization: `Bearer ${monitor.token}` } });
  expect(res.status).toBe(200);
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return NaN;
}
const kickoff1h = { handoff: HANDOFF, window: '1h' };

async function pair(key: string) {
  await monitor.monitor.outcomes.flush();
  return monitor.monitor.store.outcomes.pair(HANDOFF, key);
}

/** How many chat messages name the deal, per channel (deal_1 is not deal_12). */
function messagesPerChannel(dealId: string): Record<string, number> {
  const names = new RegExp(`\\b${dealId}\\b`);
  const counts: Record<string, number> = {};
  for (const m of mock.chatMessages()) if (names.test(m.text)) counts[m.channel] = (counts[m.channel] ?? 0) + 1;
  return counts;
}

const kickoffRuns = async () => (await n8n.executions({ workflowId: kickoffId })).length;
/** Closes the deals in the CRM (each sends its webhook) and waits for their kickoff runs to end. */
async function closeDeals(dealIds: string[]) {
  const before = await kickoffRuns();
  const out = await Promise.all(dealIds.map((id) => mock.closeWon(id, n8n.webhookUrl(KICKOFF_PATH))));
  const runs = (await n8n.waitForExecutions(kickoffId, before + dealIds.length, 90_000)).slice(0, dealIds.length);
  return { deals: out.map((o) => o!.deal), runs };
}

/** Every run n8n started has ended and every queued alert has been sent: what was going to reach chat has. */
async function quiet() {
  await waitFor(
    'every kickoff run to end',
    async () => (await n8n.executions({ workflowId: kickoffId, status: 'running' })).length === 0,
    EXTERNAL,
  );
  await monitor.monitor.outcomes.flush();
  await monitor.monitor.alerts.flush();
  const data = await loadReportData(monitor.monitor.store, monitor.monitor.contracts.current(), Date.now(), { withMonday: true });
  const pending = data.monday?.pendingAlerts;
  expect(pending).toBe(0);
}

async function shot(name: string) {
  const file = path.join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const projectsOf = (dealId: string) => mock.projects({ dealId });
const foldersOf = (dealId: string) => mock.folders({ dealId });

// ---------------------------------------------------------------------------------------------

/** The outage scenario's deal and incident, for the recovery that follows it. */
let outage: { dealId: string; incidentId: number } | undefined;

it('1. the task board is down: the Exception Router opens the incident; the failed sync rate is above 0, detection is recorded and the queue lists the deal', async () => {
  const deal = addValidDeal(mock, 'Umbrella launch');
  mock.inject('taskboard', { method: 'POST', failNext: { count: 1_000, status: 503 } });
  const closing = Date.now();
  const { runs } = await closeDeals([deal.id]);
  // n8n says success: the run routed its failure to the Exception Router.
  expect(runs.map((r) => r.status)).toEqual(['success']);
  expect(
    mock
      .calls({ system: 'taskboard', method: 'POST' })
      .filter((c) => (c.body as { dealId?: string })?.dealId === deal.id)
      .map((c) => c.status),
  ).toEqual([503, 503, 503]);

  const opened = await waitFor(
    'the request_failed incident',
    async () => (await monitor.incidents()).find((i) => i.idempotencyKey === deal.id),
    EXTERNAL,
  );
  expect(opened).toMatchObject({ kind: 'request_failed', state: 'open', owner: { name: 'Dana Ops', channel: '#delivery-ops' } });
  outage = { dealId: deal.id, incidentId: opened.id };

  // While the incident is open: the failed sync rate counts the pair, the detection time is recorded.
  expect((await incident(opened.id)).state).toBe('open');
  await monitor.monitor.outcomes.flush();
  const ratio = await metric('handoff_failed_sync_ratio', kickoff1h);
  const seen = await metric('handoff_pairs_seen', kickoff1h);
  const failed = await metric('handoff_pairs_failed', kickoff1h);
  expect(ratio).toBeGreaterThan(0);
  expect(ratio).toBeCloseTo(failed / seen, 6);
  const runRatio = await waitFor(
    'the collector to count the run',
    async () => {
      await monitor.monitor.collector!.poll();
      const r = await metric('handoff_execution_failure_ratio', kickoff1h);
      return Number.isNaN(r) ? undefined : r;
    },
    EXTERNAL,
  );
  // ...while n8n's own execution statuses see nothing wrong.
  expect(runRatio).toBe(0);
  const ttdCount = await metric('handoff_time_to_detection_seconds_count');
  const ttdSum = await metric('handoff_time_to_detection_seconds_sum');
  expect(ttdCount).toBeGreaterThanOrEqual(1);
  expect(ttdSum).toBeGreaterThanOrEqual(0);
  // Measured from a failure of this deal (its first of three attempts failed ~3 s, 1 s + 2 s of
  // backoff, before the Router reported it), so no detection can be older than the deal's close:
  // an ordering against this test's own clock, not a bound on how fast the machine is.
  expect(ttdSum).toBeLessThanOrEqual((ttdCount * (Date.now() - closing)) / 1000);
  const p = (await pair(deal.id))!;
  expect(p.failedAt).not.toBeNull();
  expect(p.detectedAt).not.toBeNull();
  expect(p.detectedAt!).toBeGreaterThanOrEqual(p.failedAt!);
  expect(p.completedAt).toBeNull();

  const entries = await queue();
  expect(entries).toEqual([
    expect.objectContaining({
      key: deal.id,
      kind: 'request_failed',
      owner: expect.objectContaining({ name: 'Dana Ops' }),
      incident: expect.objectContaining({ id: opened.id, state: 'open' }),
    }),
  ]);
  Object.assign(report, {
    outage: {
      dealId: deal.id,
      incidentId: opened.id,
      failedSyncRatio1h: ratio,
      pairsSeen1h: seen,
      pairsFailed1h: failed,
      executionFailureRatio1h: runRatio,
      timeToDetection: { metricCount: ttdCount, metricSumSeconds: ttdSum, pairSeconds: (p.detectedAt! - p.failedAt!) / 1000 },
    },
  });
});

it('2. the board is back: Replay from the dashboard recovers the deal once, resolves the incident as recovered, empties the queue and greens the Monday check', async () => {
  if (!outage) throw new Error('needs the outage scenario before it');
  const { dealId, incidentId } = outage;
  mock.clearFaults('taskboard');

  await page.goto(`${monitor.url}/login?next=${encodeURIComponent('/queue')}`);
  await page.fill('#token', monitor.token);
  await Promise.all([page.waitForURL(`${monitor.url}/queue`), page.click('button[type=submit]')]);
  const row = page.locator(`tr[data-queue-key="${dealId}"]`);
  await expect(row.locator('td.owner').textContent()).resolves.toContain('Dana Ops');
  await expect(row.locator(`a[href="/incidents/${incidentId}"]`).count()).resolves.toBe(1);
  await shot('1-queue-before-replay');

  const runsBefore = await kickoffRuns();
  const ttrBefore = (await metric('handoff_time_to_recovery_seconds_count')) || 0;
  const clicked = Date.now();
  // The form's POST waits for the replayed run's outcome, then redirects back with the result.
  await Promise.all([page.waitForURL(/[?&]done=/, { timeout: 150_000 }), row.locator('button[data-action="replay"]').click()]);
  const answeredAt = Date.now();
  timings.replayClickToAnswer = answeredAt - clicked;
  const flash = (await page.locator('.flash').textContent()) ?? '';
  expect(flash).toContain(`Replay of ${dealId}: recovered`);
  expect(await page.locator('.flash.bad').count()).toBe(0);
  expect(await page.locator('tr[data-queue-key]').count()).toBe(0);
  await expect(page.locator('p.empty').textContent()).resolves.toContain('The queue is empty');
  await shot('2-queue-after-replay');

  // Exactly one more run, and exactly one project and one folder for the deal.
  const runs = await n8n.waitForExecutions(kickoffId, runsBefore + 1);
  expect(runs.length).toBe(runsBefore + 1);
  expect(runs[0].status).toBe('success');
  expect(projectsOf(dealId)).toHaveLength(1);
  expect(foldersOf(dealId)).toHaveLength(1);
  expect(foldersOf(dealId)[0].projectId).toBe(projectsOf(dealId)[0].id);
  expect(monitor.claimState(dealId)).toBe('completed');

  // The incident resolved by itself, as recovered, by the completion: after it, and before the replay
  // answered (the replay waits for the outcome fold, which resolves it; no later timer pass did).
  const p = (await pair(dealId))!;
  expect(p.completedAt).not.toBeNull();
  const resolved = await incident(incidentId);
  expect(resolved.state).toBe('resolved');
  expect(resolved.resolution).toMatch(/^recovered: completed at attempt \d+$/);
  expect(resolved.resolution).toBe(`recovered: completed at attempt ${p.attempt}`);
  expect(p.attempt).toBeGreaterThanOrEqual(2);
  const resolvedAt = Date.parse(resolved.resolvedAt!);
  timings.completedToResolved = resolvedAt - p.completedAt!;
  expect(resolvedAt).toBeGreaterThanOrEqual(p.completedAt!);
  expect(resolvedAt).toBeLessThanOrEqual(answeredAt);
  expect(p.recoveredAt).toBe(p.completedAt);

  const ttrCount = await metric('handoff_time_to_recovery_seconds_count');
  const ttrSum = await metric('handoff_time_to_recovery_seconds_sum');
  expect(ttrCount).toBe(ttrBefore + 1);
  expect(ttrSum).toBeGreaterThan(0);
  expect(await queue()).toEqual([]);

  await page.goto(`${monitor.url}/incidents/${incidentId}`);
  await expect(page.locator('main').textContent()).resolves.toContain(resolved.resolution!);
  await shot('3-incident-after-replay');

  // The Monday check: the "queues" item reads the exception queue, and it is empty.
  await monitor.monitor.collector!.poll();
  const data = await loadReportData(monitor.monitor.store, monitor.monitor.contracts.current(), Date.now(), { withMonday: true });
  const queues = buildMonday(data, buildOverview(data)).items.find((i) => i.id === 'queues')!;
  expect(queues.summary).toContain('exception queue empty');
  expect(queues.details.filter((d) => d.startsWith('queued '))).toEqual([]);
  expect(queues).toMatchObject({ ok: true });
  await page.goto(`${monitor.url}/monday`);
  expect(await page.getAttribute('li[data-item="queues"]', 'class')).toBe('ok');
  await shot('4-monday-after-replay');

  // Chat for the whole outage → recovery: the owner one opened and one recovered alert, ops one post,
  // and the copywriter the one brief of the run that completed.
  await quiet();
  const ownerAlerts = mock.chatMessages(OWNER_ALERTS).filter((m) => new RegExp(`\\b${dealId}\\b`).test(m.text));
  expect(ownerAlerts.map((m) => m.text.split(/[:\n]/)[0])).toEqual([`Incident #${incidentId} on ${HANDOFF}`, 'Recovered']);
  expect(ownerAlerts[1].text).toBe(`Recovered: ${dealId} on ${HANDOFF} (incident #${incidentId}) — ${resolved.resolution}`);
  const perChannel = messagesPerChannel(dealId);
  expect(perChannel).toEqual({ [OWNER_ALERTS]: 2, [OPS]: 1, copywriter: 1 });

  Object.assign(report, {
    recovery: {
      attempt: p.attempt,
      resolution: resolved.resolution,
      timeToRecovery: { metricCount: ttrCount, metricSumSeconds: ttrSum, pairSeconds: (p.completedAt! - p.failedAt!) / 1000 },
      incidentResolvedAfterCompletionMs: timings.completedToResolved,
      replayClickToAnswerMs: timings.replayClickToAnswer,
      mondayQueues: { ok: queues.ok, summary: queues.summary },
      chatPerChannel: perChannel,
    },
  });
});

it(`3. bulk: ${BULK} deals fail in an outage; Replay all stops at the first repeat failure while the board is down, then recovers all ${BULK} once it is back`, async () => {
  mock.inject('taskboard', { method: 'POST', failNext: { count: 10_000, status: 503 } });
  const deals = Array.from({ length: BULK }, (_, n) => addValidDeal(mock, `Bulk client ${n + 1}`));
  const ids = deals.map((d) => d.id);
  const { runs } = await closeDeals(ids);
  expect(runs.every((r) => r.status === 'success')).toBe(true);
  const entries = await waitFor(
    `${BULK} queue entries`,
    async () => {
      const q = await queue('request_failed');
      return q.length === BULK && q;
    },
    EXTERNAL,
  );
  expect(entries.map((e) => e.key).sort()).toEqual([...ids].sort());
  expect(entries.every((e) => e.incident?.state === 'open' && e.owner?.name === 'Dana Ops')).toBe(true);
  const outageRatio = await metric('handoff_failed_sync_ratio', kickoff1h);

  // Replay all with the board still down: at most `concurrency` deliveries, then it stops.
  const runsBefore = await kickoffRuns();
  const postsBefore = mock.calls({ system: 'taskboard', method: 'POST' }).length;
  let started = Date.now();
  const down = await api('POST', '/api/v1/replays', { handoff: HANDOFF, kind: 'request_failed' });
  timings.replayAllStillDown = Date.now() - started;
  expect(down.status).toBe(200);
  const launched = down.body.results.filter((r: { outcome: string }) => r.outcome !== 'skipped');
  expect(down.body.results).toHaveLength(BULK);
  expect(launched.length).toBeGreaterThanOrEqual(1);
  expect(launched.length).toBeLessThanOrEqual(CONCURRENCY);
  expect(launched.some((r: { outcome: string }) => r.outcome === 'failed_again')).toBe(true);
  expect(launched.every((r: { outcome: string }) => r.outcome === 'failed_again')).toBe(true);
  expect(down.body.results.filter((r: { outcome: string }) => r.outcome === 'skipped')).toHaveLength(BULK - launched.length);
  expect(down.body.stopped).toMatchObject({ key: expect.any(String), reason: expect.stringContaining('failed again') });
  await quiet();
  // Only the launched replays reached n8n and the board (3 attempts each), nothing for the rest.
  expect(await kickoffRuns()).toBe(runsBefore + launched.length);
  const posted = mock.calls({ system: 'taskboard', method: 'POST' }).slice(postsBefore);
  expect(new Set(posted.map((c) => (c.body as { dealId: string }).dealId))).toEqual(new Set(launched.map((r: { key: string }) => r.key)));
  expect(posted).toHaveLength(3 * launched.length);
  expect((await queue('request_failed')).map((e) => e.key).sort()).toEqual([...ids].sort());

  // The board is back: Replay all recovers every one of them, each exactly once.
  mock.clearFaults('taskboard');
  started = Date.now();
  const up = await api('POST', '/api/v1/replays', { handoff: HANDOFF, kind: 'request_failed' });
  timings.replayAllRecovered = Date.now() - started;
  expect(up.status).toBe(200);
  expect(up.body.stopped ?? null).toBeNull();
  expect(up.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(Array(BULK).fill('recovered'));
  await quiet();
  for (const id of ids) {
    expect(projectsOf(id)).toHaveLength(1);
    expect(foldersOf(id)).toHaveLength(1);
    expect(monitor.claimState(id)).toBe('completed');
  }
  expect(await queue()).toEqual([]);
  const bulkIncidents = (await monitor.incidents()).filter((i) => ids.includes(i.idempotencyKey ?? ''));
  expect(bulkIncidents).toHaveLength(BULK);
  expect(bulkIncidents.every((i) => i.state === 'resolved' && /^recovered: completed at attempt \d+$/.test(i.resolution ?? ''))).toBe(true);
  const ownerAlerts = mock.chatMessages(OWNER_ALERTS).filter((m) => ids.some((id) => new RegExp(`\\b${id}\\b`).test(m.text)));
  report.bulk = {
    deals: BULK,
    failedSyncRatio1hDuringOutage: outageRatio,
    replayAllStillDown: {
      ms: timings.replayAllStillDown,
      launched: launched.length,
      skipped: BULK - launched.length,
      stoppedAt: down.body.stopped.key,
    },
    replayAllRecovered: { ms: timings.replayAllRecovered, recovered: BULK, msPerReplay: Math.round(timings.replayAllRecovered / BULK) },
    ownerAlerts: {
      opened: ownerAlerts.filter((m) => m.text.startsWith('Incident #')).length,
      recovered: ownerAlerts.filter((m) => m.text.startsWith('Recovered:')).length,
    },
    opsPosts: mock.chatMessages(OPS).filter((m) => ids.some((id) => new RegExp(`\\b${id}\\b`).test(m.text))).length,
  };
  // One opened and one recovered alert per deal: the failed-again replays told nobody again.
  expect(report.bulk).toMatchObject({ ownerAlerts: { opened: BULK, recovered: BULK }, opsPosts: BULK });
});

it("4. a dropped CRM webhook, found by the nightly reconcile, counts as a failed pair detected from the deal's close", async () => {
  await monitor.monitor.outcomes.flush();
  const failedBefore = await metric('handoff_pairs_failed', kickoff1h);
  const ttdBefore = await metric('handoff_time_to_detection_seconds_count');
  const dropped = addValidDeal(mock, 'Pied Piper pilot');
  mock.webhookFaults({ dropNext: 1 });
  const runsBefore = await kickoffRuns();
  const closed = (await mock.closeWon(dropped.id, n8n.webhookUrl(KICKOFF_PATH)))!;
  expect(closed.deliveries.map((d) => d.dropped)).toEqual([true]);
  const closedAt = Date.parse(String(closed.deal.closedAt));

  const before = (await n8n.executions({ workflowId: reconcileId })).length;
  const res = await fetch(n8n.webhookUrl(RECONCILE_NOW), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  const [latest] = await n8n.waitForExecutions(reconcileId, before + 1);
  expect(latest.status).toBe('success');
  expect(await kickoffRuns()).toBe(runsBefore);

  const found = await waitFor(
    'the reconcile incident',
    async () => (await monitor.incidents()).find((i) => i.idempotencyKey === dropped.id),
    EXTERNAL,
  );
  expect(found).toMatchObject({ kind: 'reconcile_missing', state: 'open', owner: { name: 'Dana Ops' } });
  // Only the dropped deal: every other deal of this file has its project by now.
  expect((await monitor.incidents({ state: 'unresolved' })).map((i) => i.idempotencyKey)).toEqual([dropped.id]);
  const p = (await pair(dropped.id))!;
  expect(p.failureKind).toBe('reconcile_missing');
  expect(Math.abs(p.failedAt! - closedAt)).toBeLessThanOrEqual(1_000);
  expect(p.detectedAt!).toBeGreaterThan(p.failedAt!);
  expect(await metric('handoff_pairs_failed', kickoff1h)).toBe(failedBefore + 1);
  expect(await metric('handoff_time_to_detection_seconds_count')).toBe(ttdBefore + 1);
  expect((await queue()).map((e) => [e.key, e.kind])).toEqual([[dropped.id, 'reconcile_missing']]);
  report.reconcile = {
    dealId: dropped.id,
    closedAt: new Date(closedAt).toISOString(),
    pairFailedAt: new Date(p.failedAt!).toISOString(),
    pairDetectedAt: new Date(p.detectedAt!).toISOString(),
    detectionSeconds: (p.detectedAt! - p.failedAt!) / 1000,
    pairsFailed1h: `${failedBefore} → ${failedBefore + 1}`,
    failedSyncRatio1h: await metric('handoff_failed_sync_ratio', kickoff1h),
  };
});
