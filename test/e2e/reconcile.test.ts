/**
 * The story this product exists for: the CRM's closed-won webhook is dropped, so no kickoff runs and
 * nobody notices. The shipped nightly reconcile (nightly-reconcile.json) finds the deal without a
 * project and the owner is alerted. The reconcile is started through a test-only webhook added
 * beside its schedule (the public API has no "run now"); everything else is the template as shipped.
 */
import fs from 'fs';
import path from 'path';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { REPO_ROOT } from '../harness/pack';
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
  withWebhookTrigger,
} from './support/templates';
import { EXTERNAL, waitFor } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

const RUN_NOW = 'reconcile-now';

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: TemplateMonitor;
let kickoffId: string;
let reconcileId: string;

beforeAll(async () => {
  mock = await startAgencyMock();
  [n8n, monitor] = await Promise.all([startN8n(), startTemplateMonitor({ alertWebhookUrl: `${mock.url}/chat/webhook` })]);
  const credentials = await createTemplateCredentials(n8n, monitor, 'tb-token-not-under-test');
  const deployed = await deployKickoff(n8n, mock, credentials);
  kickoffId = deployed.kickoffId;
  const reconcile = pointAt(loadTemplate('nightly-reconcile.json'), {
    mockUrl: mock.url,
    credentials,
    errorWorkflowId: deployed.errorWorkflowId,
  });
  // No grace period: the dropped deal was closed a moment ago, not an hour ago.
  setConfig(reconcile, 'graceMinutes', '0');
  reconcileId = await deploy(n8n, withWebhookTrigger(reconcile, 'Every night', RUN_NOW), RUN_NOW);
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

async function runReconcile() {
  const before = (await n8n.executions({ workflowId: reconcileId })).length;
  const res = await fetch(n8n.webhookUrl(RUN_NOW), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  const [latest] = await n8n.waitForExecutions(reconcileId, before + 1);
  expect(latest.status).toBe('success');
}

it('the CRM webhook is dropped: the reconcile run opens an incident for the missing project and alerts the owner', async () => {
  // One deal kicked off normally, so the reconcile has a matched pair as well as the gap.
  const delivered = addValidDeal(mock, 'Hooli migration');
  await mock.closeWon(delivered.id, n8n.webhookUrl(KICKOFF_PATH));
  await n8n.waitForExecutions(kickoffId, 1);
  expect(mock.projects({ dealId: delivered.id })).toHaveLength(1);

  const dropped = addValidDeal(mock, 'Pied Piper pilot');
  mock.webhookFaults({ dropNext: 1 });
  const { deliveries } = (await mock.closeWon(dropped.id, n8n.webhookUrl(KICKOFF_PATH)))!;
  expect(deliveries.map((d) => d.dropped)).toEqual([true]);
  expect(await n8n.executions({ workflowId: kickoffId })).toHaveLength(1);
  expect(mock.projects({ dealId: dropped.id })).toHaveLength(0);

  const started = Date.now();
  await runReconcile();
  const incident = await waitFor(
    'the reconcile incident',
    async () => (await monitor.incidents()).find((i) => i.idempotencyKey === dropped.id),
    EXTERNAL,
  );
  const alert = await waitFor(
    'the owner alert in chat',
    () => mock.chatMessages().find((m) => m.text.startsWith(`Incident #${incident.id} `)),
    EXTERNAL,
  );
  const toAlertMs = alert.at - started;
  expect(incident).toMatchObject({ kind: 'reconcile_missing', state: 'open', owner: { name: 'Dana Ops', channel: '#delivery-ops' } });
  expect(incident.title).toContain('no project on the task board');
  expect(alert.text).toContain(dropped.id);
  expect(alert.text).toContain('Dana Ops');
  // The deal whose kickoff ran is not reported.
  expect((await monitor.incidents()).filter((i) => i.idempotencyKey === delivered.id)).toEqual([]);

  // A second night with the gap still open updates the same incident instead of opening another.
  await runReconcile();
  const again = await waitFor(
    'the repeat counted',
    async () => (await monitor.incidents()).find((i) => i.id === incident.id && i.count === 2),
    EXTERNAL,
  );
  expect((await monitor.incidents()).filter((i) => i.idempotencyKey === dropped.id)).toEqual([again]);

  console.log(`dropped webhook: reconcile run started → owner alert in chat: ${toAlertMs} ms`);
  const dir = path.join(REPO_ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'e2e-dropped-webhook.json'),
    JSON.stringify({ reconcileToOwnerAlertMs: toAlertMs, at: new Date().toISOString() }, null, 2),
  );
});
