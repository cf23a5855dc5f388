/**
 * The 20-way duplicate storm for one deal, in n8n's queue mode (a main taking the webhooks, two
 * workers running the executions, Redis + Postgres): the Idempotency Gate still lets exactly one
 * execution create the project, whichever worker runs it. The same storm through n8n's built-in
 * Remove Duplicates is measured beside it and reported, not asserted (it is the peer, not our code).
 */
import fs from 'fs';
import path from 'path';
import { E2E_TIMEOUT_MS } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { REPO_ROOT } from '../harness/pack';
import { cleanupQueueModeStacks, N8nQueueMode, startN8nQueueMode } from '../harness/queue-mode';
import { AgencyMock, startAgencyMock } from '../mocks/agency';
import { HANDOFF, startE2eMonitor } from './support/monitor';
import { gateWorkflow, removeDuplicatesWorkflow } from './support/workflows';

jest.setTimeout(E2E_TIMEOUT_MS);

const STORM = 20;

let n8n: N8nQueueMode;
let mock: AgencyMock;
let monitor: Awaited<ReturnType<typeof startE2eMonitor>>;
const figures: Record<string, unknown> = { storm: STORM, workers: 2 };

beforeAll(async () => {
  [n8n, mock, monitor] = await Promise.all([startN8nQueueMode({ workers: 2 }), startAgencyMock(), startE2eMonitor()]);
  figures.startup = n8n.timings;
  console.log(`queue-mode stack (main + ${n8n.workers.length} workers) ready in ${n8n.timings.totalMs} ms: ${JSON.stringify(n8n.timings)}`);
});
afterAll(async () => {
  await Promise.all([n8n?.stop(), mock?.close(), monitor?.close()]);
  await cleanupQueueModeStacks();
  await stopAllServices();
});

async function deploy(workflow: { name: string; nodes: unknown[]; connections: unknown }, hookPath: string) {
  const { id } = await n8n.importWorkflow(workflow);
  await n8n.activate(id);
  await n8n.waitForWebhook(hookPath);
  return id;
}

/** Fires `copies` simultaneous deliveries of one deal and waits until every execution has ended. */
async function fire(workflowId: string, hookPath: string, dealId: string, copies: number) {
  const before = (await n8n.executions({ workflowId })).map((e) => e.id);
  const delivery = await mock.deliverWebhook(n8n.webhookUrl(hookPath), { event: 'deal.closed_won', dealId, name: 'Acme retainer' }, copies);
  expect(delivery.results).toEqual(Array(copies).fill({ status: 200 }));
  const executions = (await n8n.waitForExecutions(workflowId, before.length + copies)).filter((e) => !before.includes(e.id));
  const statuses: Record<string, number> = {};
  for (const e of executions) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
  // Where they ran: every execution must have been taken by a worker, none by the main.
  const byExecution = n8n.executionsByWorker();
  const perWorker: Record<string, number> = {};
  for (const e of executions) {
    const w = byExecution.get(e.id);
    const label = w === undefined ? 'main' : `worker-${w}`;
    perWorker[label] = (perWorker[label] ?? 0) + 1;
  }
  return { passed: mock.projects({ dealId }).length, statuses, perWorker, maxOverlap: maxOverlap(executions) };
}

/** The most executions that were running at one moment: how much of a race the storm really was. */
function maxOverlap(executions: { startedAt: string; stoppedAt: string | null }[]): number {
  const edges = executions.flatMap((e) => [
    { at: Date.parse(e.startedAt), d: 1 },
    { at: Date.parse(e.stoppedAt ?? e.startedAt), d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const { d } of edges) most = Math.max(most, (now += d));
  return most;
}

it('runs a main and two workers on Redis + Postgres, each with the node pack', async () => {
  expect(n8n.workers).toHaveLength(2);
  for (const w of n8n.workers) {
    const res = await fetch(`${w.healthUrl}/healthz/readiness`);
    expect(res.status).toBe(200);
  }
  const types = await n8n.nodeTypes();
  expect(types.map((t) => t.name)).toContain('n8n-nodes-handoff-guard.idempotencyGate');
  const mainLog = fs.readFileSync(n8n.logFile, 'utf8');
  expect(mainLog).not.toMatch(/sqlite/i);
});

it(`lets exactly one of ${STORM} concurrent deliveries of one deal through the Idempotency Gate, across workers`, async () => {
  const credential = await n8n.createCredential('Handoff Monitor', 'handoffMonitorApi', { url: monitor.url, token: monitor.token });
  const id = await deploy(gateWorkflow({ name: 'Kickoff (Gate, queue mode)', path: 'queue-storm-gate', mockUrl: mock.url, credential, handoff: HANDOFF }), 'queue-storm-gate');
  const result = await fire(id, 'queue-storm-gate', 'D-QSTORM-GATE', STORM);
  figures.gate = result;
  expect(result.passed).toBe(1);
  expect(result.statuses).toEqual({ success: STORM });
  expect(result.perWorker.main).toBeUndefined();
  expect(monitor.claim('D-QSTORM-GATE')).toMatchObject({ state: 'completed', attempt: 1 });
});

it(`measures the same storm through n8n's Remove Duplicates in queue mode (reported, not asserted)`, async () => {
  const id = await deploy(removeDuplicatesWorkflow({ name: 'Kickoff (Remove Duplicates, queue mode)', path: 'queue-storm-rd', mockUrl: mock.url }), 'queue-storm-rd');
  // First storm on a fresh workflow (no history row yet), then one once its history exists.
  const fresh = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-1', STORM);
  // Wiring check, so the figures mean something: without a race the peer does drop a repeat.
  const repeat = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-1', 1);
  expect(repeat.passed).toBe(fresh.passed);
  const withHistory = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-2', STORM);
  figures.removeDuplicates = { freshWorkflow: fresh, withHistory };

  const gate = figures.gate as { passed: number } | undefined;
  console.log(
    `queue-mode storm(${STORM}), main + 2 workers: handoff-guard gate passed ${gate?.passed ?? '?'}, n8n Remove Duplicates passed ${fresh.passed} (fresh workflow) and ${withHistory.passed} (history present)\n` +
      JSON.stringify({ gate: figures.gate, removeDuplicates: figures.removeDuplicates }),
  );
  const dir = path.join(REPO_ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'e2e-queue-mode-storm.json'), JSON.stringify({ ...figures, n8nVersion: n8n.install.n8nVersion, at: new Date().toISOString() }, null, 2));
});
