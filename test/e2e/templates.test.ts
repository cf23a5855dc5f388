/**
 * The templates as shipped, in the pinned n8n: every node type and version they use is one this
 * n8n (with the pack installed) actually loads; the scheduled smoke test passes on a healthy
 * kickoff and cleans up, and alerts when a step is missing; a node that throws in the kickoff
 * reaches the owner through the error workflow.
 */
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import {
  addValidDeal,
  createTemplateCredentials,
  deploy,
  deployKickoff,
  eventually,
  KICKOFF_PATH,
  loadTemplate,
  pointAt,
  setConfig,
  startTemplateMonitor,
  TemplateMonitor,
  templateFiles,
  withWebhookTrigger,
} from './support/templates';

jest.setTimeout(E2E_TIMEOUT_MS);

const SMOKE_NOW = 'smoke-now';

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: TemplateMonitor;
let ids: { kickoffId: string; errorWorkflowId: string; smokeId: string };

beforeAll(async () => {
  mock = await startAgencyMock();
  [n8n, monitor] = await Promise.all([startN8n(), startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook` })]);
  const credentials = await createTemplateCredentials(n8n, monitor, 'tb-token-not-under-test');
  const kickoff = await deployKickoff(n8n, mock, credentials);
  const smoke = pointAt(loadTemplate('handoff-smoke-test.json'), { mockUrl: mock.url, n8nUrl: n8n.baseUrl, credentials, errorWorkflowId: kickoff.errorWorkflowId });
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

const smokeDealIds = () => [...new Set(mock.calls({ system: 'taskboard', method: 'POST' }).map((c) => String((c.body as { dealId?: string })?.dealId)))].filter((id) => id.startsWith('SMOKE-'));

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

it('the smoke test alerts when a step is missing (the CMS is down)', async () => {
  mock.inject('cms', { method: 'POST', failNext: { count: 1_000, status: 503 } });
  try {
    const run = await runSmokeTest();
    expect(run.status).toBe('success');
  } finally {
    mock.clearFaults();
  }
  const incident = await eventually('the smoke-test incident', async () => (await monitor.incidents()).find((i) => i.kind === 'smoke_test_failed'));
  expect(incident).toMatchObject({ severity: 'critical', owner: { name: 'Dana Ops' } });
  expect(incident.title).toMatch(/1 project\(s\) on the task board and 0 CMS folder\(s\)/);
  await eventually('the alert in chat', () => mock.chatMessages().find((m) => m.text.startsWith(`Incident #${incident.id} `)));
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
  const incident = await eventually('the workflow_error incident', async () => (await monitor.incidents()).find((i) => i.kind === 'workflow_error'));
  expect(incident).toMatchObject({ owner: { name: 'Dana Ops' }, error: expect.objectContaining({ node: 'Brief the copywriter' }) });
  // The project and folder were made and verified before the brief failed: the handoff itself completed.
  expect(monitor.claimState(deal.id)).toBe('completed');
});
