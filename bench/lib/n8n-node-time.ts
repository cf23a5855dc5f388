/**
 * Node time of a subject node for N fresh items in a real n8n (single instance or queue mode):
 * Webhook → Code emitting N items → subject → NoOp, best of several rounds, read from the
 * execution's run data (the subject node's own executionTime, so n8n's overhead is left out).
 */
import crypto from 'crypto';

type Json = Record<string, unknown>;

/** What both startN8n and startN8nQueueMode instances offer. */
export interface N8nLike {
  importWorkflow(json: { name: string; nodes: unknown[]; connections: unknown; settings?: unknown }): Promise<{ id: string }>;
  activate(id: string): Promise<unknown>;
  waitForWebhook(path: string): Promise<void>;
  webhookUrl(path: string): string;
  waitForExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<{ id: string }[]>;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

interface RunData {
  [node: string]: { executionTime: number; data?: { main: Json[][] } }[];
}

const node = (name: string, type: string, typeVersion: number, x: number, parameters: Json, extra: Json = {}) => ({
  name,
  type,
  typeVersion,
  position: [x, 0],
  parameters,
  ...extra,
});

function itemsWorkflow(name: string, path: string, subject: Json) {
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
      node('Emit items', 'n8n-nodes-base.code', 2, 200, {
        jsCode: `const { prefix, count } = $input.first().json.body;\nreturn Array.from({ length: count }, (_, i) => ({ json: { dealId: prefix + '-' + i } }));`,
      }),
      { ...subject, name: 'Subject', position: [400, 0] },
      node('Done', 'n8n-nodes-base.noOp', 1, 600, {}),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Emit items', type: 'main', index: 0 }]] },
      'Emit items': { main: [[{ node: 'Subject', type: 'main', index: 0 }]] },
      Subject: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

export async function nodeTimeForItems(n8n: N8nLike, subject: Json, label: string, items: number, rounds: number): Promise<number> {
  const path = `bench-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const { id } = await n8n.importWorkflow(itemsWorkflow(`bench ${label}`, path, subject));
  await n8n.activate(id);
  await n8n.waitForWebhook(path);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await fetch(n8n.webhookUrl(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prefix: `${label}-${round}`, count: items }),
    });
    const done = await n8n.waitForExecutions(id, round + 1, 180_000);
    const newest = [...done].sort((a, b) => Number(b.id) - Number(a.id))[0];
    const full = await n8n.api<{ status: string; data: { resultData: { runData: RunData; error?: { message: string } } } }>(
      'GET',
      `/executions/${newest.id}?includeData=true`,
    );
    if (full.status !== 'success')
      throw new Error(`${label}: execution ${newest.id} ended ${full.status}: ${full.data.resultData.error?.message}`);
    const subjectRun = full.data.resultData.runData.Subject[0];
    const passed = subjectRun.data?.main[0]?.length ?? 0;
    if (passed !== items) throw new Error(`${label}: ${passed} of ${items} fresh items passed`);
    times.push(subjectRun.executionTime);
  }
  return Math.min(...times);
}
