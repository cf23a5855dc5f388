/**
 * The kickoff's review gate (issue 10) on the real n8n 2.41.1: the delivery lead's approve/reject
 * links (the Wait node's resume URL), what each answer does, what an unanswered review turns into,
 * and that a replayed or forged link resumes nothing. One n8n for the file; a monitor that collects
 * from it, with review and exception SLAs of seconds so the no-answer path fits in a test.
 */
import crypto from 'crypto';
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import { reviewRequests, startReviewMonitor } from './support/review';
import { addValidDeal, createTemplateCredentials, deployKickoff, KICKOFF_PATH } from './support/templates';
import { EXTERNAL, holdsFor, waitFor } from '../support/wait';

jest.setTimeout(E2E_TIMEOUT_MS);

/** Above the template's reviewFromAmount (20,000): these deals wait for the review. */
const REVIEWED_AMOUNT = 50_000;
const REVIEW_SLA_S = 4;
const EXCEPTION_SLA_S = 4;

let n8n: N8nInstance;
let mock: AgencyMock;
let monitor: Awaited<ReturnType<typeof startReviewMonitor>>;
let kickoffId: string;

beforeAll(async () => {
  mock = await startAgencyMock();
  n8n = await startN8n();
  monitor = await startReviewMonitor({
    n8n,
    alertWebhookUrl: `${mock.url}/chat/webhook`,
    reviewSla: `${REVIEW_SLA_S}s`,
    exceptionSla: `${EXCEPTION_SLA_S}s`,
  });
  const credentials = await createTemplateCredentials(n8n, monitor, `tb-${crypto.randomBytes(8).toString('hex')}`);
  ({ kickoffId } = await deployKickoff(n8n, mock, credentials));
  monitor.watchWorkflows([kickoffId]);
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await stopAllServices();
});

const briefsFor = (dealId: string) => mock.chatMessages().filter((m) => m.text.startsWith('New kickoff:') && m.text.includes(dealId));
const execution = async (id: string) =>
  (await n8n.executions({ workflowId: kickoffId, status: 'waiting' })).find((e) => e.id === id) ??
  (await n8n.executions({ workflowId: kickoffId })).find((e) => e.id === id);

/** Closes a reviewed deal and waits until its run is parked on the review; returns the run and the links. */
async function dealUnderReview(name: string) {
  const deal = addValidDeal(mock, name, { amount: REVIEWED_AMOUNT });
  await mock.closeWon(deal.id, n8n.webhookUrl(KICKOFF_PATH));
  const request = await waitFor(`the review request for ${deal.id}`, () => reviewRequests(mock, deal.id)[0], EXTERNAL);
  const executionId = new URL(request.approveUrl).pathname.split('/').pop()!;
  await waitFor(`execution ${executionId} waiting`, async () => (await execution(executionId))?.status === 'waiting', EXTERNAL);
  return { deal, request, executionId };
}

const finished = (id: string) =>
  waitFor(
    `execution ${id} to finish`,
    async () => {
      const e = await execution(id);
      return e && e.status !== 'waiting' && e.status !== 'running' ? e : undefined;
    },
    EXTERNAL,
  );

const call = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};

it('approve: the copywriter is briefed once, the handoff completes, and the used link (or the other one) resumes nothing again', async () => {
  const { deal, request, executionId } = await dealUnderReview('Globex rebrand');
  expect(new URL(request.approveUrl).searchParams.get('signature')).toMatch(/\S{16,}/);
  expect(request.text).toContain(request.approveUrl);
  expect(briefsFor(deal.id)).toHaveLength(0);

  const first = await call(request.approveUrl);
  expect(first.status).toBe(200);
  expect((await finished(executionId)).status).toBe('success');
  expect(briefsFor(deal.id)).toHaveLength(1);

  // Single use: the run is no longer waiting, so both links are refused and nothing runs again.
  for (const url of [request.approveUrl, `${request.rejectUrl}replayed`]) expect((await call(url)).status).toBe(409);
  await holdsFor('no second brief after the refused links', () => briefsFor(deal.id).length === 1, 1_000);
  expect(briefsFor(deal.id)).toHaveLength(1);
  expect(mock.chatMessages().filter((m) => m.text.includes(deal.id) && m.text.includes('cannot start'))).toHaveLength(0);
});

it('reject: no brief; an incident carrying the reason goes to the sales owner, and sales ops is told', async () => {
  const { deal, request, executionId } = await dealUnderReview('Initech migration');
  const reason = 'Scope misses the CMS migration; re-quote';
  expect((await call(`${request.rejectUrl}${encodeURIComponent(reason)}`)).status).toBe(200);
  expect((await finished(executionId)).status).toBe('success');
  expect(briefsFor(deal.id)).toHaveLength(0);

  const incident = await waitFor(
    'the rejection incident',
    async () => (await monitor.incidents()).find((i) => i.kind === 'review_rejected' && i.idempotencyKey === deal.id),
    EXTERNAL,
  );
  expect(incident.owner).toMatchObject({ name: 'Sam Sales', channel: '#sales-ops' });
  expect(JSON.stringify([incident.title, incident.error])).toContain(reason);
  await waitFor(
    'sales ops told',
    () => mock.chatMessages().some((m) => m.text.includes(deal.id) && m.text.includes('cannot start')),
    EXTERNAL,
  );
});

it('no answer: a stall incident for the reviewer after the review SLA, escalated once past the exception SLA; forged links resume nothing', async () => {
  const { deal, request, executionId } = await dealUnderReview('Umbrella intranet');
  const base = request.approveUrl.split('?')[0];
  const signature = new URL(request.approveUrl).searchParams.get('signature')!;
  const otherRun = reviewRequests(mock, mock.deals().find((d) => d.name === 'Globex rebrand')!.id)[0];
  const forged = [
    `${base}?decision=approve`, // the execution id alone: guessable, so it must not be enough
    `${base}?signature=${'0'.repeat(signature.length)}&decision=approve`,
    `${base}?signature=${new URL(otherRun.approveUrl).searchParams.get('signature')}&decision=approve`, // another run's real token
  ];
  for (const url of forged) expect({ url, status: (await call(url)).status }).toEqual({ url, status: 401 });

  const stalled = await waitFor(
    'the review stall incident',
    async () => (await monitor.incidents()).find((i) => i.kind === 'stalled' && i.execution?.id === executionId),
    { ...EXTERNAL, timeoutMs: (REVIEW_SLA_S + 15) * 1000 },
  );
  expect(stalled.owner).toMatchObject({ name: 'Lee Lead', channel: '#delivery-leads' });
  expect(stalled.title).toContain('review SLA');
  const escalated = await waitFor(
    'the escalation',
    async () => (await monitor.incidents()).find((i) => i.id === stalled.id && i.escalatedAt),
    { ...EXTERNAL, timeoutMs: (EXCEPTION_SLA_S + 15) * 1000 },
  );
  expect(escalated.escalatedAt).toBeDefined();

  // Still parked: nothing the forged links did moved it on.
  expect((await execution(executionId))?.status).toBe('waiting');
  expect(briefsFor(deal.id)).toHaveLength(0);
});
