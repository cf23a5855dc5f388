/**
 * The Idempotency Gate against n8n's built-in Remove Duplicates in n8n's queue mode (a main taking
 * the webhooks, two workers running the executions, Redis + Postgres), in one run: duplicates passed
 * under a 20-way storm of one key, several storms each. Same workflows as bench/gate-n8n.ts
 * (Webhook → Set {dealId} → subject → NoOp); target (docs/architecture.md): 0 duplicates passed.
 * Needs the machine's Redis and Postgres (see test/harness/queue-mode.ts); the stack makes its own
 * database and Redis prefix and removes both.
 */
import crypto from 'crypto';
import { startE2eMonitor } from '../test/e2e/support/monitor';
import { startN8nQueueMode, type N8nQueueMode } from '../test/harness/queue-mode';
import { nodeTimeForItems } from './lib/n8n-node-time';
import { fmt, report } from './lib/report';

const STORM = 20;
const ITEMS = 10_000;
const ROUNDS = 2;
const STORMS = 3;
const WORKERS = 2;
const HANDOFF = 'sales-to-delivery-kickoff';
const BARRIER_MS = 5_000;

type Json = Record<string, unknown>;

const node = (name: string, type: string, typeVersion: number, x: number, parameters: Json, extra: Json = {}) => ({
  name,
  type,
  typeVersion,
  position: [x, 0],
  parameters,
  ...extra,
});

/**
 * With `barrier`, a Wait node holds every execution until the `releaseAt` in its delivery (under
 * 65 s a Wait stays in the worker's memory): the workers pick jobs up over ~1-2 s, so without it
 * the executions reach the subject one after another; with it, within a few milliseconds.
 */
function workflow(name: string, path: string, subject: Json, barrier: boolean) {
  const first = barrier ? 'Barrier' : 'Emit items';
  return {
    name,
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
        { webhookId: crypto.randomUUID() },
      ),
      ...(barrier
        ? [
            node(
              'Barrier',
              'n8n-nodes-base.wait',
              1.1,
              100,
              { resume: 'specificTime', dateTime: '={{ $json.body.releaseAt }}' },
              { webhookId: crypto.randomUUID() },
            ),
          ]
        : []),
      node('Emit items', 'n8n-nodes-base.set', 3.4, 200, { mode: 'raw', jsonOutput: '={{ { dealId: $json.body.dealId } }}', options: {} }),
      { ...subject, name: 'Subject', position: [400, 0] },
      node('Done', 'n8n-nodes-base.noOp', 1, 600, {}),
    ],
    connections: {
      Webhook: { main: [[{ node: first, type: 'main', index: 0 }]] },
      ...(barrier ? { Barrier: { main: [[{ node: 'Emit items', type: 'main', index: 0 }]] } } : {}),
      'Emit items': { main: [[{ node: 'Subject', type: 'main', index: 0 }]] },
      Subject: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

const gate = (credential: { id: string; name: string }) =>
  node(
    'Subject',
    'n8n-nodes-handoff-guard.idempotencyGate',
    1,
    0,
    { operation: 'claim', handoff: HANDOFF, keySource: 'field', keyField: 'dealId' },
    { credentials: { handoffMonitorApi: credential } },
  );
const removeDuplicates = () =>
  node('Subject', 'n8n-nodes-base.removeDuplicates', 2, 0, {
    operation: 'removeItemsSeenInPreviousExecutions',
    logic: 'removeItemsWithAlreadySeenKeyValues',
    dedupeValue: '={{ $json.dealId }}',
    options: { historySize: 1_000_000 },
  });

interface RunData {
  [node: string]: { startTime: number; executionTime: number; data?: { main: Json[][] } }[];
}

const post = (n8n: N8nQueueMode, path: string, body: Json) =>
  fetch(n8n.webhookUrl(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** STORMS storms of STORM concurrent executions of one (new) key each: how many let the item through. */
async function storms(n8n: N8nQueueMode, subject: Json, label: string, barrier: boolean) {
  const path = `qstorm-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const { id } = await n8n.importWorkflow(workflow(`queue storm ${label}${barrier ? ' (barrier)' : ''}`, path, subject, barrier));
  await n8n.activate(id);
  await n8n.waitForWebhook(path);
  // One run first, so Remove Duplicates has its history row (as in bench/gate-n8n.ts).
  await post(n8n, path, { dealId: `${label}-primer`, releaseAt: new Date().toISOString() });
  await n8n.waitForExecutions(id, 1, 60_000);
  const results: { passed: number; failed: number; workers: number; subjectSpreadMs: number }[] = [];
  for (let s = 0; s < STORMS; s++) {
    const before = new Set((await n8n.executions({ workflowId: id })).map((e) => e.id));
    const dealId = `${label}-storm-${s}-${crypto.randomUUID().slice(0, 6)}`;
    const releaseAt = new Date(Date.now() + (barrier ? BARRIER_MS : 0)).toISOString();
    await Promise.all(Array.from({ length: STORM }, () => post(n8n, path, { dealId, releaseAt })));
    const done = (await n8n.waitForExecutions(id, before.size + STORM, 120_000)).filter((e) => !before.has(e.id));
    const byWorker = n8n.executionsByWorker();
    let passed = 0;
    let failed = 0;
    const starts: number[] = [];
    const workers = new Set<number | undefined>();
    for (const e of done) {
      const full = await n8n.api<{ status: string; data: { resultData: { runData: RunData } } }>(
        'GET',
        `/executions/${e.id}?includeData=true`,
      );
      const run = full.data.resultData.runData.Subject?.[0];
      if (run) starts.push(run.startTime);
      const items = run?.data?.main[0] ?? [];
      if (full.status !== 'success') failed++;
      passed += items.filter((i) => (i as { json: { dealId: string } }).json.dealId === dealId).length;
      workers.add(byWorker.get(e.id));
    }
    results.push({
      passed,
      failed,
      workers: [...workers].filter((w) => w !== undefined).length,
      subjectSpreadMs: starts.length ? Math.max(...starts) - Math.min(...starts) : 0,
    });
  }
  return results;
}

async function main() {
  const monitor = await startE2eMonitor();
  const n8n = await startN8nQueueMode({ workers: WORKERS });
  try {
    const credential = await n8n.createCredential('Handoff Monitor (bench)', 'handoffMonitorApi', {
      url: monitor.url,
      token: monitor.token,
    });
    const oursTime = await nodeTimeForItems(n8n, gate(credential), 'gate', ITEMS, ROUNDS);
    const peerTime = await nodeTimeForItems(n8n, removeDuplicates(), 'remove-duplicates', ITEMS, ROUNDS);
    const ours = await storms(n8n, gate(credential), 'gate', false);
    const peer = await storms(n8n, removeDuplicates(), 'remove-duplicates', false);
    const oursB = await storms(n8n, gate(credential), 'gate', true);
    const peerB = await storms(n8n, removeDuplicates(), 'remove-duplicates', true);
    const dupes = (r: { passed: number }[]) => r.map((x) => x.passed - 1);
    const failedOf = (r: { failed: number }[]) => r.reduce((a, x) => a + x.failed, 0);
    const row = (what: string, o: typeof ours, p: typeof peer) => ({
      figure: `duplicates passed, ${STORM}-way storm of one key, ${what} (${STORMS} storms)`,
      value: `${dupes(o).join(', ')} (${failedOf(o)} executions failed)`,
      compare: `Remove Duplicates: ${dupes(p).join(', ')} (${failedOf(p)} failed); target 0`,
      meets: dupes(o).every((d) => d === 0) && failedOf(o) === 0,
    });
    const spread = (r: typeof ours) => r.map((x) => x.subjectSpreadMs).join(', ');
    report(
      `Idempotency Gate vs n8n Remove Duplicates, queue mode (n8n ${n8n.install.n8nVersion}, main + ${WORKERS} workers, Redis + Postgres)`,
      [
        {
          figure: `node time, ${fmt.int(ITEMS)} fresh items on a worker (best of ${ROUNDS})`,
          value: `${fmt.int(oursTime)} ms (${(oursTime / peerTime).toFixed(3)}×)`,
          compare: `Remove Duplicates: ${fmt.int(peerTime)} ms; target ≤ 0.1×`,
          meets: oursTime <= 0.1 * peerTime,
        },
        row('as delivered', ours, peer),
        row(`held at a barrier (Wait until one instant)`, oursB, peerB),
        {
          figure: 'queue-mode stack start (main ready, then workers)',
          value: `${fmt.int(n8n.timings.totalMs)} ms`,
          compare: `main ${fmt.int(n8n.timings.mainReadyMs)} ms, workers ${fmt.int(n8n.timings.workersReadyMs)} ms`,
        },
      ],
      [
        'the storm primes each workflow with one run first, so Remove Duplicates has its history row',
        `workers that ran each storm: ours ${[...ours, ...oursB].map((r) => r.workers).join(', ')}, Remove Duplicates ${[...peer, ...peerB].map((r) => r.workers).join(', ')}`,
        `spread of the subject node's start times within a storm: as delivered ours ${spread(ours)} ms, Remove Duplicates ${spread(peer)} ms; at the barrier ours ${spread(oursB)} ms, Remove Duplicates ${spread(peerB)} ms`,
      ],
    );
  } finally {
    await n8n.stop();
    await monitor.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
