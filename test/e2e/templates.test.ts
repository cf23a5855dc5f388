/**
 * The templates as shipped, in the pinned n8n: every node type and version they use is one this
 * n8n (with the pack installed) actually loads; the scheduled smoke test passes on a healthy
 * kickoff and cleans up, and alerts when a step is missing — once per destination, however many
 * hours it keeps failing; a node that throws in the kickoff reaches the owner through the error
 * workflow. The monitor's alerts arrive on the chat channel OWNER_ALERTS, the templates' posts on
 * the channel their Config URL names (…/chat/webhook/ops, …/delivery-ops).
 */
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import {
  addValidDeal,
  createTemplateCredentials,
  deploy,
  deployKickoff,
  KICKOFF_PATH,
  loadTemplate,
  pointAt,
  setConfig,
  startTemplateMonitor,
  TemplateMonitor,
  templateFiles,
  withWebhookTrigger,
} from './support/templates';
import { EXTERNAL, waitFor } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

/** The smoke test's dedup key, which the kickoff also uses for a synthetic deal's failure. */
const SMOKE_DEDUP_KEY = 'sales-to-delivery-kickoff:smoke_test_failed';

const SMOKE_NOW = 'smoke-now';
/** The mock chat channel the monitor's HANDOFF_ALERT_WEBHOOK_URL posts to: the owner's alerts. */
const OWNER_ALERTS = 'owner-alerts';
/** Long enough for several alert-outbox ticks (300 ms here): a message that was going to come has come. */
const SETTLE_MS = 2_000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
/** Chat messages per channel, to compare before and after a scenario. */
function perChannel(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of mock.chatMessages()) counts[m.channel] = (counts[m.channel] ?? 0) + 1;
  return counts;
}
const newMessages = (before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(perChannel()).flatMap(([channel, n]) => (n > (before[channel] ?? 0) ? [[channel, n - (before[channel] ?? 0)]] : [])),
  );

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: TemplateMonitor;
let ids: { kickoffId: string; errorWorkflowId: string; smokeId: string };

beforeAll(async () => {
  mock = await startAgencyMock();
  [n8n, monitor] = await Promise.all([startN8n(), startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook/${OWNER_ALERTS}` })]);
  const credentials = await createTemplateCredentials(n8n, monitor, 'tb-token-not-under-test');
  const kickoff = await deployKickoff(n8n, mock, credentials);
  const smoke = pointAt(loadTemplate('handoff-smoke-test.json'), {
    mockUrl: mock.url,
    n8nUrl: n8n.baseUrl,
    credentials,
    errorWorkflowId: kickoff.errorWorkflowId,
  });
  // The kickoff against the mocks takes about a second; the shipped 30 s is for real systems.
  setConfig(smoke, 'waitSeconds', '4');
  ids = { ...kickoff, smokeId: await deploy(n8n, withWebhookTrigger(smoke, 'Every hour', SMOKE_NOW), SMOKE_NOW) };
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

it('uses only node types and versions that this pack or n8n 2.41.1 provides', async () => {
  const loaded = new Map<string, number[]>();
  for (const t of await n8n.nodeTypes()) loaded.set(t.name, [...(loaded.get(t.name) ?? []), ...[t.version].flat()]);
  const missing: string[] = [];
  for (const file of templateFiles()) {
    const wf = loadTemplate(file);
    if (!Array.isArray(wf.nodes)) continue;
    for (const node of wf.nodes) {
      if (!loaded.get(node.type)?.includes(node.typeVersion)) missing.push(`${file}: "${node.name}" ${node.type} v${node.typeVersion}`);
    }
  }
  expect(loaded.has('n8n-nodes-handoff-guard.exceptionRouter')).toBe(true);
  expect(missing).toEqual([]);
});

async function runSmokeTest() {
  const before = (await n8n.executions({ workflowId: ids.smokeId })).length;
  const res = await fetch(n8n.webhookUrl(SMOKE_NOW), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  const [latest] = await n8n.waitForExecutions(ids.smokeId, before + 1);
  return latest;
}

const smokeDealIds = () =>
  [...new Set(mock.calls({ system: 'taskboard', method: 'POST' }).map((c) => String((c.body as { dealId?: string })?.dealId)))].filter(
    (id) => id.startsWith('SMOKE-'),
  );

it('the smoke test sends a synthetic deal through the kickoff, finds every step and cleans up', async () => {
  const run = await runSmokeTest();
  expect(run.status).toBe('success');
  const [dealId] = smokeDealIds();
  expect(dealId).toBeDefined();
  // It arrived (created, with the deal id) and is gone again.
  expect(mock.calls({ system: 'taskboard', method: 'DELETE' })).toHaveLength(1);
  expect(mock.calls({ system: 'cms', method: 'DELETE' })).toHaveLength(1);
  expect(mock.projects({ dealId })).toEqual([]);
  expect(mock.folders({ dealId })).toEqual([]);
  expect(monitor.claimState(dealId)).toBe('completed');
  // Nobody is paged and the copywriter is not briefed about a synthetic deal.
  expect(await monitor.incidents()).toEqual([]);
  expect(mock.chatMessages().filter((m) => m.text.includes(dealId))).toEqual([]);
});

it('the smoke test alerts when a step is missing (the CMS is down): the owner once, the ops channel once, an hour later nobody again', async () => {
  const before = perChannel();
  mock.inject('cms', { method: 'POST', failNext: { count: 1_000, status: 503 } });
  try {
    const run = await runSmokeTest();
    expect(run.status).toBe('success');
    // The kickoff reported its synthetic deal's failure and the smoke test reported the missing
    // folder, under one dedup key: one incident, critical (the smoke test's severity), two failures.
    const incident = await waitFor(
      'the smoke-test incident with both reports',
      async () => (await monitor.incidents()).find((i) => i.dedupKey === SMOKE_DEDUP_KEY && i.count === 2),
      EXTERNAL,
    );
    expect((await monitor.incidents()).map((i) => i.id)).toEqual([incident.id]);
    expect(incident).toMatchObject({ severity: 'critical', owner: { name: 'Dana Ops' }, state: 'open' });
    // The CMS refused the folder: whichever report came first titles it (the kickoff's retries and the smoke test's wait race).
    expect(incident.title).toMatch(/CMS folder|cms\/folders|0 CMS folder\(s\)/);
    await waitFor(
      'the owner alert',
      () => mock.chatMessages(OWNER_ALERTS).find((m) => m.text.startsWith(`Incident #${incident.id} `)),
      EXTERNAL,
    );
    await settle();
    // The ops post comes from whichever reported first: the kickoff's "Tell delivery ops" or the smoke test's Router.
    const told = newMessages(before);
    expect(told[OWNER_ALERTS]).toBe(1);
    expect(Object.values(told).reduce((a, b) => a + b, 0)).toBe(2);
    expect(Object.keys(told).filter((c) => c !== OWNER_ALERTS)).toEqual([expect.stringMatching(/^(ops|delivery-ops)$/)]);

    // The next hour, still broken: both reports are repeats of the open incident, and nobody is told again.
    const afterFirst = perChannel();
    expect((await runSmokeTest()).status).toBe('success');
    await waitFor(
      'the second hour counted',
      async () => (await monitor.incidents()).find((i) => i.id === incident.id && i.count === 4),
      EXTERNAL,
    );
    await settle();
    expect(newMessages(afterFirst)).toEqual({});
    expect(await monitor.incidents()).toHaveLength(1);
  } finally {
    mock.clearFaults();
  }
});

it('a node that throws in the kickoff reaches the owner through the error workflow', async () => {
  const deal = addValidDeal(mock, 'Soylent catering');
  // The copywriter's chat refuses the brief on every try of the HTTP Request node (3 tries).
  mock.inject('chat', { failNext: { count: 3, status: 500 } });
  const before = (await n8n.executions({ workflowId: ids.kickoffId })).length;
  const errorRunsBefore = (await n8n.executions({ workflowId: ids.errorWorkflowId })).length;
  try {
    await mock.closeWon(deal.id, n8n.webhookUrl(KICKOFF_PATH));
    const [run] = await n8n.waitForExecutions(ids.kickoffId, before + 1);
    expect(run.status).toBe('error');
    const [errorRun] = await n8n.waitForExecutions(ids.errorWorkflowId, errorRunsBefore + 1);
    expect(errorRun).toMatchObject({ status: 'success', mode: 'error' });
  } finally {
    mock.clearFaults();
  }
  const incident = await waitFor(
    'the workflow_error incident',
    async () => (await monitor.incidents()).find((i) => i.kind === 'workflow_error'),
    EXTERNAL,
  );
  expect(incident).toMatchObject({ owner: { name: 'Dana Ops' }, error: expect.objectContaining({ node: 'Brief the copywriter' }) });
  // The owner hears from the monitor, the ops channel from the error workflow's Router: once each.
  await waitFor(
    'the owner alert',
    () => mock.chatMessages(OWNER_ALERTS).find((m) => m.text.startsWith(`Incident #${incident.id} `)),
    EXTERNAL,
  );
  await settle();
  const aboutIt = (channel: string) => mock.chatMessages(channel).filter((m) => m.text.startsWith(`Incident #${incident.id} `));
  expect({ owner: aboutIt(OWNER_ALERTS).length, ops: aboutIt('ops').length }).toEqual({ owner: 1, ops: 1 });
  // The project and folder were made and verified before the brief failed: the handoff itself completed.
  expect(monitor.claimState(deal.id)).toBe('completed');
});
