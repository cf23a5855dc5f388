/**
 * A 20-way webhook storm for one deal (a CRM retrying, a user double-clicking, a replay): our Gate
 * lets exactly one execution create the project. The same storm through n8n's built-in Remove
 * Duplicates is measured beside it and reported, not asserted (it is the peer, not our code).
 */
import fs from 'fs';
import path from 'path';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { REPO_ROOT } from '../harness/pack';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import { HANDOFF, startE2eMonitor } from './support/monitor';
import { gateWorkflow, removeDuplicatesWorkflow } from './support/workflows';

jest.setTimeout(E2E_TIMEOUT_MS);

const STORM = 20;

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: Awaited<ReturnType<typeof startE2eMonitor>>;
const figures: Record<string, unknown> = { storm: STORM };

beforeAll(async () => {
  [n8n, mock, monitor] = await Promise.all([startN8n(), startAgencyMock(), startE2eMonitor()]);
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

/** Imports and activates a workflow, and waits until its production webhook is live. */
async function deploy(workflow: { name: string; nodes: unknown[]; connections: unknown }, hookPath: string) {
  const { id } = await n8n.importWorkflow(workflow);
  await n8n.activate(id);
  await n8n.waitForWebhook(hookPath);
  return id;
}

/** Fires `copies` simultaneous deliveries of one deal and waits until every execution has ended. */
async function fire(workflowId: string, hookPath: string, dealId: string, copies: number) {
  const before = (await n8n.executions({ workflowId })).length;
  const delivery = await mock.deliverWebhook(n8n.webhookUrl(hookPath), { event: 'deal.closed_won', dealId, name: 'Acme retainer' }, copies);
  expect(delivery.results).toEqual(Array(copies).fill({ status: 200 }));
  const executions = (await n8n.waitForExecutions(workflowId, before + copies)).slice(0, copies);
  const statuses: Record<string, number> = {};
  for (const e of executions) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
  return { passed: mock.projects({ dealId }).length, statuses };
}

it(`lets exactly one of ${STORM} concurrent deliveries of one deal through the Idempotency Gate`, async () => {
  const credential = await n8n.createCredential('Handoff Monitor', 'handoffMonitorApi', { url: monitor.url, token: monitor.token });
  const id = await deploy(
    gateWorkflow({ name: 'Kickoff (Gate)', path: 'storm-gate', mockUrl: mock.url, credential, handoff: HANDOFF }),
    'storm-gate',
  );
  const result = await fire(id, 'storm-gate', 'D-STORM-GATE', STORM);
  figures.gate = result;
  expect(result.passed).toBe(1);
  expect(result.statuses).toEqual({ success: STORM });
  expect(monitor.claim('D-STORM-GATE')).toMatchObject({ state: 'completed', attempt: 1 });
});

it(`measures the same storm through n8n's Remove Duplicates (reported, not asserted)`, async () => {
  const id = await deploy(
    removeDuplicatesWorkflow({ name: 'Kickoff (Remove Duplicates)', path: 'storm-rd', mockUrl: mock.url }),
    'storm-rd',
  );
  // First storm on a fresh workflow (no history row yet), then one on the same workflow once its history exists.
  const fresh = await fire(id, 'storm-rd', 'D-STORM-RD-1', STORM);
  // Wiring check, so the figures mean something: without a race the peer does drop a repeat.
  const repeat = await fire(id, 'storm-rd', 'D-STORM-RD-1', 1);
  expect(repeat.passed).toBe(fresh.passed);
  const withHistory = await fire(id, 'storm-rd', 'D-STORM-RD-2', STORM);
  figures.removeDuplicates = { freshWorkflow: fresh, withHistory };

  const gate = figures.gate as { passed: number } | undefined;
  console.log(
    `storm(${STORM}): handoff-guard gate passed ${gate?.passed ?? '?'}, n8n Remove Duplicates passed ${fresh.passed} (fresh workflow, executions ${JSON.stringify(fresh.statuses)}) and ${withHistory.passed} (history present, executions ${JSON.stringify(withHistory.statuses)})`,
  );
  const dir = path.join(REPO_ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'e2e-storm.json'),
    JSON.stringify({ ...figures, n8nVersion: n8n.install.n8nVersion, at: new Date().toISOString() }, null, 2),
  );
});
