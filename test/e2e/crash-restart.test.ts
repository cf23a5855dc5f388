/**
 * n8n dies (SIGKILL: no shutdown hooks, like an OOM kill or a pulled container) while a handoff is
 * between its claim and the task board's answer. The claim must survive in the ledger, and the
 * retried delivery after the lease expires must create the project exactly once.
 */
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import { HANDOFF, startE2eMonitor } from './support/monitor';
import { gateWorkflow } from './support/workflows';
import { waitFor, type WaitOptions } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

const HOOK = 'kickoff-crash';
const DEAL = 'D-CRASH-1';
/** Short, so the retry need not wait long; the restart alone takes longer than this. */
const LEASE_SECONDS = 3;
/** The task board hangs this long on the first project, so n8n is surely killed mid-call. */
const TASKBOARD_LATENCY_MS = 8_000;

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: Awaited<ReturnType<typeof startE2eMonitor>>;

beforeAll(async () => {
  [n8n, mock, monitor] = await Promise.all([startN8n(), startAgencyMock(), startE2eMonitor()]);
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

/** Waits on the real n8n and the mock; a timeout shows the end of n8n's log. */
const N8N: WaitOptions = { timeoutMs: 30_000, intervalMs: 200, detail: () => `--- n8n log ---\n${n8n.logTail()}` };

it('keeps the claim through a crash and completes the retried handoff exactly once', async () => {
  const credential = await n8n.createCredential('Handoff Monitor', 'handoffMonitorApi', { url: monitor.url, token: monitor.token });
  const { id } = await n8n.importWorkflow(
    gateWorkflow({ name: 'Kickoff (crash)', path: HOOK, mockUrl: mock.url, credential, handoff: HANDOFF, leaseSeconds: LEASE_SECONDS }),
  );
  await n8n.activate(id);
  await n8n.waitForWebhook(HOOK);
  mock.inject('taskboard', { method: 'POST', latency: { ms: TASKBOARD_LATENCY_MS, count: 1 } });

  const deal = { event: 'deal.closed_won', dealId: DEAL, name: 'Acme retainer' };
  await mock.deliverWebhook(n8n.webhookUrl(HOOK), deal);
  // The claim is recorded and the project request is on the wire: kill n8n now.
  await waitFor('the project request to reach the task board', () => mock.calls({ method: 'POST', path: '/taskboard/projects' })[0], N8N);
  expect(monitor.claim(DEAL)).toMatchObject({ state: 'claimed', attempt: 1 });
  await n8n.kill('SIGKILL');

  await n8n.restart();
  await n8n.waitForWebhook(HOOK);
  // The claim outlived the crash: neither lost nor wrongly completed.
  const claim = monitor.claim(DEAL);
  expect(claim).toMatchObject({ state: 'claimed', attempt: 1 });
  // The interrupted call never reached the board (the mock drops calls whose caller hung up).
  await waitFor(
    'the interrupted project request to be abandoned',
    () => mock.calls({ method: 'POST', path: '/taskboard/projects' })[0].aborted,
    N8N,
  );
  expect(mock.projects({ dealId: DEAL })).toHaveLength(0);

  // The CRM retries after the lease expired: a new attempt, which completes.
  await waitFor('the lease to expire', () => Date.now() > (claim!.lease_expires_at ?? 0) + 100 || undefined, N8N);
  await mock.deliverWebhook(n8n.webhookUrl(HOOK), deal);
  const success = await waitFor(
    'the retried execution to succeed',
    async () => (await n8n.executions({ workflowId: id, status: 'success' }))[0],
    N8N,
  );
  expect(success.status).toBe('success');
  expect(mock.projects({ dealId: DEAL })).toHaveLength(1);
  expect(monitor.claim(DEAL)).toMatchObject({ state: 'completed', attempt: 2 });

  // A late duplicate of the same deal is now suppressed for good.
  await mock.deliverWebhook(n8n.webhookUrl(HOOK), deal);
  await waitFor(
    'the duplicate delivery to finish',
    async () => ((await n8n.executions({ workflowId: id, status: 'success' })).length >= 2 ? true : undefined),
    N8N,
  );
  expect(mock.projects({ dealId: DEAL })).toHaveLength(1);
});
