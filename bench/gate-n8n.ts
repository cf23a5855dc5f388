/**
 * The Idempotency Gate against n8n's built-in Remove Duplicates, in the same real n8n, in one run:
 *  - node time for 10,000 items (Webhook → Code emitting N items → subject node → NoOp);
 *  - duplicates passed under a 20-way storm of one key.
 * Targets (docs/architecture.md): Gate ≤ 0.1× the time of Remove Duplicates; 0 duplicates passed.
 */
import crypto from 'crypto';
import { startE2eMonitor } from '../test/e2e/support/monitor';
import { startN8n, type N8nInstance } from '../test/harness/n8n';
import { nodeTimeForItems } from './lib/n8n-node-time';
import { fmt, report } from './lib/report';

const ITEMS = 10_000;
const ROUNDS = 3;
const STORM = 20;
const HANDOFF = 'sales-to-delivery-kickoff';

type Json = Record<string, unknown>;

const node = (name: string, type: string, typeVersion: number, x: number, parameters: Json, extra: Json = {}) => ({
  name,
  type,
  typeVersion,
  position: [x, 0],
  parameters,
  ...extra,
});

/** Webhook → Set {dealId} → subject → NoOp: one item per delivery, for the storm. */
function workflow(name: string, path: string, subject: Json) {
  const nodes = [
    node(
      'Webhook',
      'n8n-nodes-base.webhook',
      2,
      0,
      { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
      { webhookId: crypto.randomUUID() },
    ),
    node('Emit items', 'n8n-nodes-base.set', 3.4, 200, { mode: 'raw', jsonOutput: '={{ { dealId: $json.body.dealId } }}', options: {} }),
    { ...subject, name: 'Subject', position: [400, 0] },
    node('Done', 'n8n-nodes-base.noOp', 1, 600, {}),
  ];
  return {
    name,
    nodes,
    connections: {
      Webhook: { main: [[{ node: 'Emit items', type: 'main', index: 0 }]] },
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
  [node: string]: { executionTime: number; data?: { main: Json[][] } }[];
}

async function deploy(n8n: N8nInstance, wf: ReturnType<typeof workflow>, path: string) {
  const { id } = await n8n.importWorkflow(wf);
  await n8n.activate(id);
  await n8n.waitForWebhook(path);
  return id;
}

async function runOnce(n8n: N8nInstance, workflowId: string, path: string, body: Json, already: number) {
  await fetch(n8n.webhookUrl(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const done = await n8n.waitForExecutions(workflowId, already + 1, 180_000);
  const newest = done.sort((a, b) => Number(b.id) - Number(a.id))[0];
  const full = await n8n.api<{ status: string; data: { resultData: { runData: RunData; error?: { message: string } } } }>(
    'GET',
    `/executions/${newest.id}?includeData=true`,
  );
  if (full.status !== 'success') throw new Error(`execution ${newest.id} ended ${full.status}: ${full.data.resultData.error?.message}`);
  return full.data.resultData.runData;
}

/** How many of STORM concurrent executions of one key let the item through. */
async function storm(n8n: N8nInstance, subject: Json, label: string) {
  const path = `storm-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const id = await deploy(n8n, workflow(`storm ${label}`, path, subject), path);
  // One run first, so Remove Duplicates has its history row (a fresh one fails racers instead).
  await runOnce(n8n, id, path, { dealId: `${label}-primer` }, 0);
  const dealId = `${label}-storm-${crypto.randomUUID().slice(0, 6)}`;
  await Promise.all(
    Array.from({ length: STORM }, () =>
      fetch(n8n.webhookUrl(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dealId }) }),
    ),
  );
  const done = await n8n.waitForExecutions(id, STORM + 1, 120_000);
  let passed = 0;
  let failed = 0;
  for (const e of done.filter((x) => Number(x.id) > 0)) {
    const full = await n8n.api<{ status: string; data: { resultData: { runData: RunData } } }>(
      'GET',
      `/executions/${e.id}?includeData=true`,
    );
    const items = full.data.resultData.runData.Subject?.[0]?.data?.main[0] ?? [];
    if (full.status !== 'success') failed++;
    passed += items.filter((i) => (i as { json: { dealId: string } }).json.dealId === dealId).length;
  }
  return { passed, failed };
}

async function main() {
  const monitor = await startE2eMonitor();
  const n8n = await startN8n();
  try {
    const credential = await n8n.createCredential('Handoff Monitor (bench)', 'handoffMonitorApi', {
      url: monitor.url,
      token: monitor.token,
    });
    const ours = await nodeTimeForItems(n8n, gate(credential), 'gate', ITEMS, ROUNDS);
    const peer = await nodeTimeForItems(n8n, removeDuplicates(), 'remove-duplicates', ITEMS, ROUNDS);
    const ourStorm = await storm(n8n, gate(credential), 'gate');
    const peerStorm = await storm(n8n, removeDuplicates(), 'remove-duplicates');
    report(
      'Idempotency Gate vs n8n Remove Duplicates (same n8n 2.41.1)',
      [
        {
          figure: `node time, ${fmt.int(ITEMS)} fresh items (best of ${ROUNDS})`,
          value: `${fmt.int(ours)} ms (${(ours / peer).toFixed(3)}×)`,
          compare: `Remove Duplicates: ${fmt.int(peer)} ms; target ≤ 0.1×`,
          meets: ours <= 0.1 * peer,
        },
        {
          figure: `duplicates passed, ${STORM}-way storm of one key`,
          value: `${ourStorm.passed - 1} (${ourStorm.failed} executions failed)`,
          compare: `Remove Duplicates: ${peerStorm.passed - 1} (${peerStorm.failed} failed); target 0`,
          meets: ourStorm.passed === 1 && ourStorm.failed === 0,
        },
      ],
      [
        'the storm primes each workflow with one run first, so Remove Duplicates has its history row (on a fresh workflow its racers fail with SQLITE_CONSTRAINT instead)',
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
