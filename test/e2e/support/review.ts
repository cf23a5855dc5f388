/**
 * Support for the review-gate scenarios (issue 10): a monitor on the shipped contract that also
 * collects from the test's n8n, with review and exception SLAs of seconds, and helpers that read
 * the approval request the kickoff posts to the chat sink.
 */
import fs from 'fs';
import path from 'path';
import type { Incident } from '../../../protocol/incidents';
import { startTestMonitor } from '../../support/monitor';
import type { N8nInstance } from '../../harness/n8n';
import type { AgencyMock } from '../../mocks/agency';
import { HANDOFF, TEMPLATES_DIR } from './templates';

/** The links the "Ask for review" node posts beside the text (the chat sink keeps the whole payload). */
export interface ReviewRequest {
  text: string;
  dealId: string;
  approveUrl: string;
  rejectUrl: string;
}

export function reviewRequests(mock: AgencyMock, dealId: string): ReviewRequest[] {
  return mock
    .chatMessages()
    .map((m) => ({ text: m.text, ...((m.payload as { review?: Omit<ReviewRequest, 'text'> }).review ?? {}) }))
    .filter((r): r is ReviewRequest => r.dealId === dealId);
}

/** The shipped contract with test SLAs: `workflows` also names the kickoff by id, since the public API import drops tags. */
function testContract(o: { reviewSla: string; exceptionSla: string; workflowIds: string[] }): string {
  const shipped = fs.readFileSync(path.join(TEMPLATES_DIR, 'handoffs.yaml'), 'utf8');
  return shipped
    .replace(/reviewSla: \S+/, `reviewSla: ${o.reviewSla}`)
    .replace(/exceptionSla: \S+/, `exceptionSla: ${o.exceptionSla}`)
    .replace(/workflows: \[([^\]]*)\]/, (_m, tags: string) => `workflows: [${[tags, ...o.workflowIds].join(', ')}]`);
}

export async function startReviewMonitor(o: { n8n: N8nInstance; alertWebhookUrl: string; reviewSla: string; exceptionSla: string }) {
  const m = await startTestMonitor({
    contract: testContract({ ...o, workflowIds: [] }),
    env: { HANDOFF_ALERT_WEBHOOK_URL: o.alertWebhookUrl, N8N_BASE_URL: o.n8n.baseUrl, N8N_API_KEY: o.n8n.apiKey },
    deps: { collectorIntervalMs: 400, detectorIntervalMs: 400, alertIntervalMs: 300 },
  });
  const { monitor, token } = m;
  const write = (workflowIds: string[]) => fs.writeFileSync(m.contracts, testContract({ ...o, workflowIds }));
  const get = async (p: string) => {
    const res = await fetch(`${monitor.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`monitor ${p}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    url: monitor.url,
    token,
    monitor,
    /** Names the deployed kickoff by id in the contract and reloads it. */
    watchWorkflows(ids: string[]) {
      write(ids);
      const result = monitor.contracts.reload();
      if (!result.ok) throw new Error(`contract reload failed: ${result.error}`);
    },
    incidents: async (): Promise<Incident[]> =>
      ((await (await get(`/api/v1/incidents?handoff=${HANDOFF}`)).json()) as { incidents: Incident[] }).incidents,
    page: async (p: string) => (await get(p)).text(),
    close: () => m.close(),
  };
}
