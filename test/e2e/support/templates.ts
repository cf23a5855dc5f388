/**
 * The shipped templates (workflows-templates/*.json), loaded as a user would import them and then
 * pointed at a test's own mock systems, n8n and monitor. Templates point at the mocks of
 * `npm start` (127.0.0.1:5690) and the n8n it starts (127.0.0.1:5678); a test swaps those base URLs
 * and credentials and nothing else, so what runs is what ships.
 */
import Database from 'better-sqlite3';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { loadConfig } from '../../../monitor/src';
import { startTestMonitor } from '../../support/monitor';
import { REPO_ROOT } from '../../harness/pack';
import type { N8nInstance } from '../../harness/n8n';
import type { AgencyMock } from '../../mocks/agency';

export const TEMPLATES_DIR = path.join(REPO_ROOT, 'workflows-templates');
export const HANDOFF = 'sales-to-delivery-kickoff';
export const KICKOFF_PATH = 'handoff-kickoff';
/** Where the templates point by default: the local stack of `npm start`. */
const STACK_MOCKS_URL = 'http://127.0.0.1:5690';
const STACK_N8N_URL = 'http://127.0.0.1:5678';
/** The error workflow's fixed id in error-workflow.json, named in the other templates' settings. */
export const TEMPLATE_ERROR_WORKFLOW_ID = 'hgKickoffErrors1';

export type TemplateNode = {
  id?: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
  [k: string]: unknown;
};
export interface Template {
  id?: string;
  name: string;
  nodes: TemplateNode[];
  connections: Record<string, { main: { node: string; type: string; index: number }[][] }>;
  settings?: Record<string, unknown>;
  [k: string]: unknown;
}

export function templateFiles(): string[] {
  return fs
    .readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadTemplate(file: string): Template {
  return JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as Template;
}

export interface Targets {
  mockUrl: string;
  n8nUrl?: string;
  /** Template credential name (e.g. "Task board token") → the credential created in the test's n8n. */
  credentials: Record<string, { id: string; name: string }>;
  errorWorkflowId?: string;
}

/** The template with its base URLs, credentials and error workflow swapped for the test's. */
export function pointAt(template: Template, t: Targets): Template {
  let text = JSON.stringify(template).split(STACK_MOCKS_URL).join(t.mockUrl);
  if (t.n8nUrl) text = text.split(STACK_N8N_URL).join(t.n8nUrl);
  const wf = JSON.parse(text) as Template;
  for (const node of wf.nodes) {
    for (const [type, ref] of Object.entries(node.credentials ?? {})) {
      const mine = t.credentials[ref.name];
      if (!mine)
        throw new Error(`template node "${node.name}" uses credential "${ref.name}" (${type}); the test created none by that name`);
      node.credentials![type] = mine;
    }
  }
  if (wf.settings?.errorWorkflow) {
    if (t.errorWorkflowId) wf.settings.errorWorkflow = t.errorWorkflowId;
    else delete wf.settings.errorWorkflow;
  }
  return wf;
}

/** Replaces one value of the template's "Config" node (e.g. a wait or a window), as a user would in the editor. */
export function setConfig(wf: Template, name: string, value: string): Template {
  const config = wf.nodes.find((n) => n.name === 'Config');
  const list = (config?.parameters.assignments as { assignments: { name: string; value: unknown }[] } | undefined)?.assignments;
  const entry = list?.find((a) => a.name === name);
  if (!entry) throw new Error(`template "${wf.name}" has no Config value "${name}"`);
  entry.value = value;
  return wf;
}

/**
 * Adds a POST webhook beside a schedule trigger, wired to the same nodes: a test cannot wait for
 * 02:00, and the public API has no "run now". The rest of the workflow is untouched.
 */
export function withWebhookTrigger(wf: Template, triggerName: string, hookPath: string): Template {
  const trigger = wf.nodes.find((n) => n.name === triggerName);
  if (!trigger) throw new Error(`template "${wf.name}" has no node "${triggerName}"`);
  const name = `Run now (test)`;
  wf.nodes.push({
    name,
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [trigger.position[0], trigger.position[1] - 200],
    webhookId: crypto.randomUUID(),
    parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
  });
  wf.connections[name] = JSON.parse(JSON.stringify(wf.connections[triggerName]));
  return wf;
}

/** The credentials every template names, created in the test's n8n. `taskBoardToken` is the secret the tests hunt for. */
export async function createTemplateCredentials(n8n: N8nInstance, monitor: { url: string; token: string }, taskBoardToken: string) {
  const [monitorCred, taskBoard, cms] = await Promise.all([
    n8n.createCredential('Handoff Monitor', 'handoffMonitorApi', { url: monitor.url, token: monitor.token }),
    n8n.createCredential('Task board token', 'handoffTokenAuthApi', {
      headerName: 'Authorization',
      token: `Bearer ${taskBoardToken}`,
      testUrl: '',
    }),
    n8n.createCredential('CMS token', 'handoffTokenAuthApi', {
      headerName: 'X-Api-Key',
      token: `cms-${crypto.randomBytes(8).toString('hex')}`,
      testUrl: '',
    }),
  ]);
  return { 'Handoff Monitor': monitorCred, 'Task board token': taskBoard, 'CMS token': cms };
}

/** Imports and activates a workflow; waits for its production webhook when it has one. */
export async function deploy(n8n: N8nInstance, wf: Template, hookPath?: string): Promise<string> {
  const { id } = await n8n.importWorkflow(wf);
  await n8n.activate(id);
  if (hookPath) await n8n.waitForWebhook(hookPath);
  return id;
}

/**
 * Imports the error workflow and the kickoff (pointed at the test's systems) and activates both.
 * The error workflow must be active itself, or n8n silently never runs it.
 */
export async function deployKickoff(n8n: N8nInstance, mock: AgencyMock, credentials: Targets['credentials']) {
  const errorWorkflowId = await deploy(n8n, pointAt(loadTemplate('error-workflow.json'), { mockUrl: mock.url, credentials }));
  const kickoffId = await deploy(
    n8n,
    pointAt(loadTemplate('sales-to-delivery-kickoff.json'), { mockUrl: mock.url, credentials, errorWorkflowId }),
    KICKOFF_PATH,
  );
  return { errorWorkflowId, kickoffId };
}

/**
 * Attaches the template's own tags to a deployed workflow, as importing the file in the editor
 * does (the public API's create call drops them). The shipped contract names the kickoff by its
 * tag (`workflows: [handoff-kickoff]`), so this is what lets a collecting monitor map its runs.
 */
export async function tagAsTemplate(n8n: N8nInstance, workflowId: string, file: string): Promise<string[]> {
  const tags = (loadTemplate(file).tags as { name: string }[] | undefined) ?? [];
  if (tags.length === 0) return [];
  const existing = (await n8n.api<{ data: { id: string; name: string }[] }>('GET', '/tags?limit=250')).data;
  const ids: { id: string }[] = [];
  for (const { name } of tags) {
    const found = existing.find((t) => t.name === name) ?? (await n8n.api<{ id: string; name: string }>('POST', '/tags', { name }));
    ids.push({ id: found.id });
  }
  await n8n.api('PUT', `/workflows/${workflowId}/tags`, ids);
  return tags.map((t) => t.name);
}

/** A closed-won deal in the mock CRM that passes the deal schema. */
export function addValidDeal(mock: AgencyMock, name: string, extra: Record<string, unknown> = {}) {
  return mock.addDeal({ name, client: { name: `${name} Ltd`, email: 'buyer@example.com' }, amount: 12_000, ...extra });
}

export type TemplateMonitor = Awaited<ReturnType<typeof startTemplateMonitor>>;

/**
 * A monitor on the shipped contract (workflows-templates/handoffs.yaml), alerting into the mock
 * chat one message per incident (alert grouping off), with detector and alert ticks short enough for a test. `setCompletionSla` rewrites the
 * contract's completion SLA and reloads it (the stall scenario uses seconds, not 15 minutes).
 *
 * With `n8n` (the test's n8n base URL and API key) it also collects executions from that n8n and
 * can replay through it; the collector and the outcome fold keep the shipped poll interval
 * (HANDOFF_POLL_INTERVAL's default, `pollIntervalMs` on the result).
 */
export async function startTemplateMonitor(o: { alertWebhookUrl: string; n8n?: { baseUrl: string; apiKey: string } }) {
  const shipped = fs.readFileSync(path.join(TEMPLATES_DIR, 'handoffs.yaml'), 'utf8');
  const m = await startTestMonitor({
    contract: shipped,
    // These scenarios follow each incident's own alert in the chat (several deals of one group within
    // a minute); grouping them into digests is test/monitor/alert-grouping.test.ts's subject.
    env: { HANDOFF_ALERT_WEBHOOK_URL: o.alertWebhookUrl, HANDOFF_ALERT_GROUP_WINDOW: '0' },
    deps: { alertIntervalMs: 300, detectorIntervalMs: 500, ...(o.n8n ? { n8n: o.n8n } : {}) },
  });
  const { monitor, token, db, dir, contracts } = m;
  const config = loadConfig(m.env);
  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${monitor.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`monitor ${p}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    url: monitor.url,
    token,
    monitor,
    /** The SQLite file (for the CLI, or a read-only look). */
    db,
    /** HANDOFF_POLL_INTERVAL as loaded: the collector's and the outcome fold's timer. */
    pollIntervalMs: config.pollIntervalMs,
    incidents: async (query: Record<string, string> = {}) =>
      (
        await api<{ incidents: import('../../../protocol/incidents').Incident[] }>(
          `/api/v1/incidents?${new URLSearchParams({ handoff: HANDOFF, ...query })}`,
        )
      ).incidents,
    /** Every byte the monitor stored (database, WAL and shared memory), to prove a secret never reached it. */
    storedBytes: () =>
      Buffer.concat(
        fs
          .readdirSync(dir)
          .filter((f) => f.startsWith('monitor.db'))
          .map((f) => fs.readFileSync(path.join(dir, f))),
      ),
    /** The ledger state of one key, read straight from the database (the API has no read-a-claim call). */
    claimState(key: string): string | undefined {
      const reader = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (reader.prepare('SELECT state FROM claims WHERE handoff = ? AND key = ?').get(HANDOFF, key) as { state: string } | undefined)
          ?.state;
      } finally {
        reader.close();
      }
    },
    setCompletionSla(sla: string) {
      fs.writeFileSync(contracts, shipped.replace(/completionSla: \S+/, `completionSla: ${sla}`));
      const result = monitor.contracts.reload();
      if (!result.ok) throw new Error(`contract reload failed: ${result.error}`);
    },
    close: () => m.close(),
  };
}
