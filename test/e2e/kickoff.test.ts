/**
 * The shipped kickoff template (sales-to-delivery-kickoff.json + error-workflow.json) on the real
 * n8n, against the mock CRM / task board / CMS / chat and a monitor on the shipped contract. One n8n
 * for the file; scenarios run in order, each with its own deal (the repeated outage reuses the
 * outage's), and the stall scenario runs last because it shortens the contract's completion SLA.
 *
 * Chat messages are counted per channel: the monitor alerts the owner on OWNER_ALERTS, the template
 * posts to the channel each Config URL names (/chat/webhook/delivery-ops, …/sales-ops, …/copywriter).
 */
import crypto from 'crypto';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import {
  addValidDeal,
  createTemplateCredentials,
  deployKickoff,
  HANDOFF,
  KICKOFF_PATH,
  startTemplateMonitor,
  TemplateMonitor,
} from './support/templates';
import { EXTERNAL, waitFor } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

/** The mock chat channel the monitor's HANDOFF_ALERT_WEBHOOK_URL posts to: the owner's alerts. */
const OWNER_ALERTS = 'owner-alerts';
/** Long enough for several alert-outbox ticks (300 ms here): a message that was going to come has come. */
const SETTLE_MS = 2_000;

/** A fake task-board token: it must never leave n8n's credential store. */
const TASK_BOARD_TOKEN = `tb-live-${crypto.randomBytes(12).toString('hex')}`;

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: TemplateMonitor;
let kickoffId: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  mock = await startAgencyMock();
  [n8n, monitor] = await Promise.all([startN8n(), startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook/${OWNER_ALERTS}` })]);
  const credentials = await createTemplateCredentials(n8n, monitor, TASK_BOARD_TOKEN);
  ({ kickoffId } = await deployKickoff(n8n, mock, credentials));
});
afterAll(async () => {
  console.log(`kickoff scenarios (ms): ${JSON.stringify(timings)}`);
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});
afterEach(() => {
  mock.clearFaults();
  mock.misnameFolders(false);
});

/** Closes the deal in the CRM, which sends its webhook, and waits for `runs` kickoff executions to end. */
async function closeDeal(dealId: string, runs = 1) {
  const before = (await n8n.executions({ workflowId: kickoffId })).length;
  const out = await mock.closeWon(dealId, n8n.webhookUrl(KICKOFF_PATH));
  const executions = (await n8n.waitForExecutions(kickoffId, before + runs, 60_000)).slice(0, runs);
  return { deliveries: out!.deliveries, executions };
}

const claimState = (key: string) => monitor.claimState(key);
const chatFor = (dealId: string) => mock.chatMessages().filter((m) => m.text.includes(dealId));
const briefsFor = (dealId: string) => chatFor(dealId).filter((m) => m.text.startsWith('New kickoff:'));
/** How many chat messages name the deal, per channel (deal_1 is not deal_12). */
function messagesPerChannel(dealId: string): Record<string, number> {
  const names = new RegExp(`\\b${dealId}\\b`);
  const counts: Record<string, number> = {};
  for (const m of mock.chatMessages()) if (names.test(m.text)) counts[m.channel] = (counts[m.channel] ?? 0) + 1;
  return counts;
}
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
/** The task-board outage's deal and incident, for the repeat that follows it. */
let outage: { dealId: string; incidentId: number } | undefined;

async function time<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - start;
  }
}

it('happy path: one project, one folder, one brief, the handoff completed in the ledger', () =>
  time('happy', async () => {
    const deal = addValidDeal(mock, 'Acme retainer');
    const { executions } = await closeDeal(deal.id);
    expect(executions.map((e) => e.status)).toEqual(['success']);
    const [project] = mock.projects({ dealId: deal.id });
    expect(mock.projects({ dealId: deal.id })).toHaveLength(1);
    // Ownership metadata travels with the object (docs/architecture.md).
    expect(project).toMatchObject({ name: `Acme retainer (${deal.id})`, handoffId: HANDOFF, owner: 'Dana Ops', idempotencyKey: deal.id });
    expect(mock.folders({ dealId: deal.id })).toEqual([
      expect.objectContaining({ name: `${deal.id} – Acme retainer`, projectId: project.id }),
    ]);
    expect(briefsFor(deal.id)).toHaveLength(1);
    expect(claimState(deal.id)).toBe('completed');
    expect(await monitor.incidents()).toEqual([]);
    expect(messagesPerChannel(deal.id)).toEqual({ copywriter: 1 });
  }));

it('the CRM delivers the webhook 5 times at once: still one project, one folder, one brief', () =>
  time('fiveConcurrent', async () => {
    const deal = addValidDeal(mock, 'Globex rebrand');
    mock.webhookFaults({ repeatNext: 5 });
    const { deliveries, executions } = await closeDeal(deal.id, 5);
    expect(deliveries[0].results).toEqual(Array(5).fill({ status: 200 }));
    expect(executions.map((e) => e.status)).toEqual(Array(5).fill('success'));
    expect(mock.projects({ dealId: deal.id })).toHaveLength(1);
    expect(mock.folders({ dealId: deal.id })).toHaveLength(1);
    expect(briefsFor(deal.id)).toHaveLength(1);
    expect(claimState(deal.id)).toBe('completed');
  }));

it('the task board answers 503 twice, then OK: the kickoff completes with one project', () =>
  time('taskBoard503Twice', async () => {
    const deal = addValidDeal(mock, 'Initech site');
    mock.inject('taskboard', { method: 'POST', failNext: { count: 2, status: 503 } });
    const { executions } = await closeDeal(deal.id);
    expect(executions.map((e) => e.status)).toEqual(['success']);
    const posts = mock.calls({ system: 'taskboard', method: 'POST' }).filter((c) => (c.body as { dealId?: string })?.dealId === deal.id);
    expect(posts.map((c) => c.status)).toEqual([503, 503, 201]);
    // Every retry carried the same key, so a target that honours it could never duplicate.
    expect(new Set(posts.map((c) => c.headers['idempotency-key']))).toEqual(new Set([deal.id]));
    expect(mock.projects({ dealId: deal.id })).toHaveLength(1);
    expect(briefsFor(deal.id)).toHaveLength(1);
    expect(claimState(deal.id)).toBe('completed');
  }));

it("the task board is down: the owner gets the monitor's alert, delivery ops one post, and no secret leaves n8n", () =>
  time('taskBoardDown', async () => {
    const deal = addValidDeal(mock, 'Umbrella launch');
    mock.inject('taskboard', { method: 'POST', failNext: { count: 1_000, status: 503 } });
    const { executions } = await closeDeal(deal.id);
    expect(executions.map((e) => e.status)).toEqual(['success']);
    // The token was sent to the task board (so it was really in play)...
    const sent = mock.calls({ system: 'taskboard', method: 'POST' }).filter((c) => (c.body as { dealId?: string })?.dealId === deal.id);
    expect(sent.length).toBe(3);
    expect(sent[0].headers.authorization).toBe(`Bearer ${TASK_BOARD_TOKEN}`);

    const incident = await waitFor(
      'the request_failed incident',
      async () => (await monitor.incidents()).find((i) => i.idempotencyKey === deal.id),
      EXTERNAL,
    );
    expect(incident).toMatchObject({ kind: 'request_failed', state: 'open', owner: { name: 'Dana Ops', channel: '#delivery-ops' } });
    // One failure, one message per destination: the monitor's alert to the owner, one post to delivery ops.
    const alert = await waitFor(
      'the owner alert in chat',
      () => mock.chatMessages(OWNER_ALERTS).find((m) => m.text.startsWith(`Incident #${incident.id} `)),
      EXTERNAL,
    );
    expect(alert.text).toContain(deal.id);
    expect(alert.text).toContain('Dana Ops');
    await settle();
    expect(messagesPerChannel(deal.id)).toEqual({ [OWNER_ALERTS]: 1, 'delivery-ops': 1 });
    const [post] = mock.chatMessages('delivery-ops').filter((m) => m.text.includes(deal.id));
    expect(post.text).toMatch(
      new RegExp(`^Kickoff of deal ${deal.id} failed: .*\\(incident #${incident.id}, owner Dana Ops\\)\\. Replay it`),
    );
    outage = { dealId: deal.id, incidentId: incident.id };
    // ...and never left n8n: not in the chat, the incident, or anything the monitor stored.
    const everywhere = [
      JSON.stringify(mock.chatMessages()),
      JSON.stringify(await monitor.incidents()),
      monitor.storedBytes().toString('latin1'),
    ];
    for (const text of everywhere) expect(text).not.toContain(TASK_BOARD_TOKEN);
    expect(mock.projects({ dealId: deal.id })).toHaveLength(0);
    // Released, so a replay once the board is back can claim it again.
    expect(claimState(deal.id)).toBe('released');
  }));

it('the same deal fails again while the board is still down: the incident counts it, nobody is told again', () =>
  time('taskBoardDownRepeat', async () => {
    if (!outage) throw new Error('needs the task-board outage scenario before it');
    const { dealId, incidentId } = outage;
    mock.inject('taskboard', { method: 'POST', failNext: { count: 1_000, status: 503 } });
    const { executions } = await closeDeal(dealId);
    expect(executions.map((e) => e.status)).toEqual(['success']);
    // The Router reported it, and the monitor answered "deduplicated": the open incident counts two failures.
    const incident = await waitFor(
      'the repeat counted on the incident',
      async () => (await monitor.incidents()).find((i) => i.id === incidentId && i.count === 2),
      EXTERNAL,
    );
    expect(incident.state).toBe('open');
    expect((await monitor.incidents()).filter((i) => i.idempotencyKey === dealId)).toHaveLength(1);
    await settle();
    expect(messagesPerChannel(dealId)).toEqual({ [OWNER_ALERTS]: 1, 'delivery-ops': 1 });
    expect(claimState(dealId)).toBe('released');
  }));

it('the CMS names the folder wrongly: QA Verify fails and an incident is opened', () =>
  time('cmsMisnamed', async () => {
    const deal = addValidDeal(mock, 'Stark Industries Q3');
    mock.misnameFolders(true);
    const { executions } = await closeDeal(deal.id);
    expect(executions.map((e) => e.status)).toEqual(['success']);
    expect(mock.folders({ dealId: deal.id })).toEqual([expect.objectContaining({ name: expect.not.stringContaining('Stark Industries') })]);
    const incident = await waitFor(
      'the qa_failed incident',
      async () => (await monitor.incidents()).find((i) => i.idempotencyKey === deal.id),
      EXTERNAL,
    );
    expect(incident).toMatchObject({ kind: 'qa_failed', owner: { name: 'Dana Ops' } });
    expect(incident.title).toContain('folder.name');
    expect(briefsFor(deal.id)).toHaveLength(0);
    expect(claimState(deal.id)).toBe('released');
    await waitFor(
      'the owner alert',
      () => mock.chatMessages(OWNER_ALERTS).find((m) => m.text.startsWith(`Incident #${incident.id} `)),
      EXTERNAL,
    );
    await settle();
    expect(messagesPerChannel(deal.id)).toEqual({ [OWNER_ALERTS]: 1, 'delivery-ops': 1 });
  }));

it('an invalid deal goes to sales ops and never reaches the task board', () =>
  time('invalidDeal', async () => {
    const deal = mock.addDeal({ name: 'No client yet', amount: 5_000 });
    await closeDeal(deal.id);
    const incident = await waitFor(
      'the invalid incident',
      async () => (await monitor.incidents()).find((i) => i.idempotencyKey === deal.id),
      EXTERNAL,
    );
    expect(incident).toMatchObject({ kind: 'invalid', owner: { name: 'Sam Sales', channel: '#sales-ops' } });
    await waitFor(
      'the owner alert',
      () => mock.chatMessages(OWNER_ALERTS).find((m) => m.text.startsWith(`Incident #${incident.id} `)),
      EXTERNAL,
    );
    await settle();
    expect(messagesPerChannel(deal.id)).toEqual({ [OWNER_ALERTS]: 1, 'sales-ops': 1 });
    expect(mock.chatMessages('sales-ops').some((m) => m.text.startsWith(`Deal ${deal.id} cannot start its kickoff`))).toBe(true);
    expect(mock.calls({ system: 'taskboard' }).some((c) => (c.body as { dealId?: string })?.dealId === deal.id)).toBe(false);
    expect(claimState(deal.id)).toBeUndefined();
  }));

it('a claimed run that hangs: a stalled incident after the completion SLA', () =>
  time('hungRun', async () => {
    monitor.setCompletionSla('5s');
    const deal = addValidDeal(mock, 'Wayne Enterprises');
    // The task board takes 10 s to answer: the claim outlives the 5 s SLA while the run hangs.
    mock.inject('taskboard', { method: 'POST', latency: { ms: 10_000, count: 1 } });
    const before = (await n8n.executions({ workflowId: kickoffId })).length;
    const closed = Date.now();
    const delivering = mock.closeWon(deal.id, n8n.webhookUrl(KICKOFF_PATH));
    const stall = await waitFor(
      'the stall incident',
      async () => (await monitor.incidents()).find((i) => i.idempotencyKey === deal.id && i.dedupKey.startsWith('stall:claim:')),
      { ...EXTERNAL, timeoutMs: 20_000 },
    );
    timings.hungRunDetectedAfter = Date.now() - closed;
    expect(stall).toMatchObject({ state: 'open', owner: { name: 'Dana Ops' } });
    expect(stall.title).toContain('completion SLA');
    expect(Date.now() - closed).toBeGreaterThanOrEqual(5_000);
    await delivering;
    await waitFor(
      'the owner alert for the stall',
      () => mock.chatMessages().find((m) => m.text.startsWith(`Incident #${stall.id}`)),
      EXTERNAL,
    );
    // Let the hung run end before n8n stops, so nothing is left waiting on the mock.
    await n8n.waitForExecutions(kickoffId, before + 1, 30_000);
  }));
