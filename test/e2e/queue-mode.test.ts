/**
 * The 20-way duplicate storm for one deal, in n8n's queue mode (a main taking the webhooks, two
 * workers running the executions, Redis + Postgres): the Idempotency Gate still lets exactly one
 * execution create the project, whichever worker runs it. The same storm through n8n's built-in
 * Remove Duplicates is measured beside it and reported, not asserted (it is the peer, not our code).
 */
import { randomUUID } from 'crypto';
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
async function fire(
  workflowId: string,
  hookPath: string,
  dealId: string,
  copies: number,
  o: { barrierMs?: number; subject?: string } = {},
) {
  const barrierMs = o.barrierMs ?? 0;
  const before = (await n8n.executions({ workflowId })).map((e) => e.id);
  const delivery = await mock.deliverWebhook(
    n8n.webhookUrl(hookPath),
    { event: 'deal.closed_won', dealId, name: 'Acme retainer', releaseAt: new Date(Date.now() + barrierMs).toISOString() },
    copies,
  );
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
  // How close together the executions reached the dedupe step (its start times, from the run data).
  let subjectSpreadMs: number | undefined;
  if (o.subject) {
    const starts: number[] = [];
    for (const e of executions) {
      const full = await n8n.api<{ data: { resultData: { runData: Record<string, { startTime: number }[]> } } }>(
        'GET',
        `/executions/${e.id}?includeData=true`,
      );
      const run = full.data.resultData.runData[o.subject]?.[0];
      if (run) starts.push(run.startTime);
    }
    subjectSpreadMs = starts.length ? Math.max(...starts) - Math.min(...starts) : undefined;
  }
  return { passed: mock.projects({ dealId }).length, statuses, perWorker, maxOverlap: maxOverlap(executions), subjectSpreadMs };
}

type Workflow = {
  name: string;
  nodes: { name: string; position: [number, number] }[];
  connections: Record<string, unknown>;
  settings?: unknown;
};

/**
 * The same workflow with a Wait node right after the webhook that holds every execution until the
 * `releaseAt` time in the delivery (a Wait under 65 s stays in the worker's memory): in queue mode the
 * workers pick the jobs up over ~1-2 s, so without a barrier the executions reach the dedupe step one
 * after another and hardly race; with it they reach it within a few milliseconds, on both workers.
 */
function withBarrier(wf: Workflow): Workflow {
  const trigger = 'CRM closed-won';
  const barrier = {
    name: 'Barrier',
    type: 'n8n-nodes-base.wait',
    typeVersion: 1.1,
    position: [125, 200] as [number, number],
    webhookId: randomUUID(),
    parameters: { resume: 'specificTime', dateTime: '={{ $json.body.releaseAt }}' },
  };
  return {
    ...wf,
    name: `${wf.name} (barrier)`,
    nodes: [...wf.nodes, barrier],
    connections: {
      ...wf.connections,
      [trigger]: { main: [[{ node: barrier.name, type: 'main', index: 0 }]] },
      [barrier.name]: wf.connections[trigger],
    },
  };
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

const BARRIER_MS = 5_000;

it(`lets exactly one of ${STORM} concurrent deliveries of one deal through the Idempotency Gate, across workers`, async () => {
  const credential = await n8n.createCredential('Handoff Monitor', 'handoffMonitorApi', { url: monitor.url, token: monitor.token });
  const wf = gateWorkflow({
    name: 'Kickoff (Gate, queue mode)',
    path: 'queue-storm-gate',
    mockUrl: mock.url,
    credential,
    handoff: HANDOFF,
  });
  const id = await deploy(wf, 'queue-storm-gate');
  const plain = await fire(id, 'queue-storm-gate', 'D-QSTORM-GATE', STORM, { subject: 'Claim deal' });
  figures.gate = { plain };
  expect(plain.passed).toBe(1);
  expect(plain.statuses).toEqual({ success: STORM });
  expect(plain.perWorker.main).toBeUndefined();
  expect(monitor.claim('D-QSTORM-GATE')).toMatchObject({ state: 'completed', attempt: 1 });

  // The same storm held at a barrier, so the claims really race, from both workers at once.
  const hook = 'queue-storm-gate-barrier';
  const barrierId = await deploy(
    withBarrier(gateWorkflow({ name: 'Kickoff (Gate, queue mode)', path: hook, mockUrl: mock.url, credential, handoff: HANDOFF })),
    hook,
  );
  const barrier = await fire(barrierId, hook, 'D-QSTORM-GATE-B', STORM, { barrierMs: BARRIER_MS, subject: 'Claim deal' });
  figures.gate = { plain, barrier };
  expect(barrier.passed).toBe(1);
  expect(barrier.statuses).toEqual({ success: STORM });
  expect(Object.keys(barrier.perWorker).sort()).toEqual(['worker-1', 'worker-2']);
  expect(monitor.claim('D-QSTORM-GATE-B')).toMatchObject({ state: 'completed', attempt: 1 });
});

it(`measures the same storm through n8n's Remove Duplicates in queue mode (reported, not asserted)`, async () => {
  const wf = removeDuplicatesWorkflow({ name: 'Kickoff (Remove Duplicates, queue mode)', path: 'queue-storm-rd', mockUrl: mock.url });
  const id = await deploy(wf, 'queue-storm-rd');
  const subject = 'Remove Duplicates';
  // First storm on a fresh workflow (no history row yet), then one once its history exists.
  const fresh = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-1', STORM, { subject });
  // Wiring check, so the figures mean something: without a race the peer does drop a repeat.
  const repeat = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-1', 1);
  expect(repeat.passed).toBe(fresh.passed);
  const withHistory = await fire(id, 'queue-storm-rd', 'D-QSTORM-RD-2', STORM, { subject });

  const hook = 'queue-storm-rd-barrier';
  const barrierId = await deploy(
    withBarrier(removeDuplicatesWorkflow({ name: 'Kickoff (Remove Duplicates, queue mode)', path: hook, mockUrl: mock.url })),
    hook,
  );
  const barrierFresh = await fire(barrierId, hook, 'D-QSTORM-RD-B1', STORM, { barrierMs: BARRIER_MS, subject });
  const barrierWithHistory = await fire(barrierId, hook, 'D-QSTORM-RD-B2', STORM, { barrierMs: BARRIER_MS, subject });
  figures.removeDuplicates = {
    freshWorkflow: fresh,
    withHistory,
    barrier: { freshWorkflow: barrierFresh, withHistory: barrierWithHistory },
  };

  const gate = figures.gate as { plain: { passed: number }; barrier: { passed: number } } | undefined;
  console.log(
    `queue-mode storm(${STORM}), main + 2 workers: handoff-guard gate passed ${gate?.plain.passed ?? '?'} (plain) and ${gate?.barrier.passed ?? '?'} (barrier); ` +
      `n8n Remove Duplicates passed ${fresh.passed} (fresh workflow) and ${withHistory.passed} (history present), ` +
      `with the barrier ${barrierFresh.passed} (fresh workflow, executions ${JSON.stringify(barrierFresh.statuses)}) and ${barrierWithHistory.passed} (history present, executions ${JSON.stringify(barrierWithHistory.statuses)})\n` +
      JSON.stringify({ gate: figures.gate, removeDuplicates: figures.removeDuplicates }),
  );
  const dir = path.join(REPO_ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'e2e-queue-mode-storm.json'),
    JSON.stringify({ ...figures, n8nVersion: n8n.install.n8nVersion, at: new Date().toISOString() }, null, 2),
  );
});
