/**
 * `npm start`: the local stack on the embedded default, for a newcomer to click through.
 *   n8n (pinned, Node 24) with this node package installed as a community package,
 *   the Handoff Guard monitor on SQLite, the mock agency systems (CRM, task board, CMS, chat),
 *   a "Handoff Monitor" credential in n8n, and every workflows-templates/*.json imported once.
 * State lives in ./.handoff/ (gitignored), so the owner, credential and workflows survive restarts.
 * Ctrl-C (or SIGTERM) stops all of it.
 *
 * Ports default to stable ones and fall back to free ones when busy:
 *   HANDOFF_N8N_PORT (5678), HANDOFF_MONITOR_PORT (5680), HANDOFF_MOCKS_PORT (5690).
 * Owner: HANDOFF_N8N_OWNER_EMAIL / HANDOFF_N8N_OWNER_PASSWORD (first start only).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { createLogger, loadConfig, startMonitor } from '../../monitor/src';
import { startAgencyMock } from '../mocks/agency';
import { startN8n } from './n8n';
import { buildAndPack, REPO_ROOT } from './pack';
import { preferredPort } from './ports';
import { provisionN8n } from './provision';

const STATE_DIR = path.join(REPO_ROOT, '.handoff');
const STATE_FILE = path.join(STATE_DIR, 'stack.json');
const TEMPLATES_DIR = path.join(REPO_ROOT, 'workflows-templates');
const CREDENTIAL_NAME = 'Handoff Monitor (local stack)';
/** Easy to type on a first visit; n8n wants 8+ characters, a digit and an uppercase letter. */
const DEFAULT_OWNER = { email: 'owner@handoff-guard.test', password: 'HandoffGuard-2025' };

interface StackState {
  monitorToken: string;
  credentialId?: string;
  /** Template file → workflow id, so a restart does not import a second copy. */
  imported: Record<string, string>;
  /** A template's own id (e.g. the error workflow's) → the id n8n gave it on import. */
  templateIds?: Record<string, string>;
  /** Template credential reference → the credential created for the mock systems. */
  mockCredentials?: Record<string, { id: string; name: string }>;
}

function loadState(): StackState {
  if (fs.existsSync(STATE_FILE)) return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  return { monitorToken: crypto.randomBytes(24).toString('hex'), imported: {} };
}

function saveState(state: StackState): void {
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
}

const env = (name: string, fallback: string) => process.env[name] || fallback;

async function main(): Promise<void> {
  const started = Date.now();
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const state = loadState();
  saveState(state);

  console.log('Provisioning n8n and packing the node package (cached after the first run)...');
  const install = provisionN8n();
  const packTgz = buildAndPack(install.cacheRoot);

  const [n8nPort, monitorPort, mocksPort] = await Promise.all([
    preferredPort(Number(env('HANDOFF_N8N_PORT', '5678'))),
    preferredPort(Number(env('HANDOFF_MONITOR_PORT', '5680'))),
    preferredPort(Number(env('HANDOFF_MOCKS_PORT', '5690'))),
  ]);

  const mock = await startAgencyMock({ port: mocksPort });
  console.log(`Starting n8n on port ${n8nPort} (about 10-20 s)...`);
  const n8n = await startN8n({
    packTgz,
    userFolder: path.join(STATE_DIR, 'n8n'),
    port: n8nPort,
    owner: {
      email: env('HANDOFF_N8N_OWNER_EMAIL', DEFAULT_OWNER.email),
      password: env('HANDOFF_N8N_OWNER_PASSWORD', DEFAULT_OWNER.password),
    },
  });

  const contracts = path.join(TEMPLATES_DIR, 'handoffs.yaml');
  const config = loadConfig({
    ...process.env,
    HANDOFF_MONITOR_TOKEN: state.monitorToken,
    HANDOFF_MONITOR_PORT: String(monitorPort),
    HANDOFF_MONITOR_DB: env('HANDOFF_MONITOR_DB', path.join(STATE_DIR, 'monitor.db')),
    ...(fs.existsSync(contracts) && !process.env.HANDOFF_CONTRACTS ? { HANDOFF_CONTRACTS: contracts } : {}),
    N8N_BASE_URL: n8n.baseUrl,
    N8N_API_KEY: n8n.apiKey,
    // Alerts land in the mock chat (channel owner-alerts), so a newcomer sees them without a Slack workspace.
    HANDOFF_ALERT_WEBHOOK_URL: env('HANDOFF_ALERT_WEBHOOK_URL', `${mock.url}/chat/webhook/owner-alerts`),
  });
  const monitor = await startMonitor(config, { logger: createLogger(env('HANDOFF_LOG_LEVEL', 'warn')) });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping n8n, the monitor and the mock systems...`);
    await Promise.allSettled([n8n.stop(), monitor.close(), mock.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const credential = await upsertCredential(n8n, state, { url: monitor.url, token: state.monitorToken });
  saveState(state);
  const imported = await importTemplates(n8n, state, credential);
  saveState(state);
  // The mock CRM announces closed-won deals to the kickoff's webhook, as a real CRM would.
  await fetch(`${mock.url}/crm/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: n8n.webhookUrl('handoff-kickoff') }),
  });

  console.log(`
Handoff Guard local stack is up (${((Date.now() - started) / 1000).toFixed(1)} s)

  n8n editor      ${n8n.baseUrl}
    login         ${n8n.owner.email} / ${n8n.owner.password}
    API key       ${n8n.apiKey}
  monitor         ${monitor.url}   (dashboard: sign in with the token; /metrics takes it as a bearer token)
    token         ${state.monitorToken}
  mock systems    ${mock.url}   (/crm/deals, /taskboard/projects, /cms/folders, /chat/webhook, /_control/calls)
  credential      "${credential.name}" in n8n points at the monitor
  templates       ${imported.length ? imported.join('\n                  ') : '(none in workflows-templates/)'}
  state           ${STATE_DIR}   (delete it for a clean start)

Try the kickoff: create a deal in the mock CRM and close it (the CRM calls n8n's webhook):
  curl -s -XPOST ${mock.url}/crm/deals -H 'content-type: application/json' \\
    -d '{"id":"deal-1","name":"Acme retainer","stage":"open","client":{"name":"Acme","email":"ops@acme.test"},"amount":12000}'
  curl -s -XPOST ${mock.url}/crm/deals/deal-1/close-won
Then look at ${mock.url}/taskboard/projects, ${mock.url}/chat/messages and the executions in n8n.

Break it, watch it get caught, fix it and replay it:
  curl -s -XPOST ${mock.url}/_control/faults -H 'content-type: application/json' \
    -d '{"system":"taskboard","method":"POST","failNext":{"count":100,"status":503}}'     # task board down
  curl -s -XPOST ${mock.url}/crm/deals -H 'content-type: application/json' \
    -d '{"id":"deal-2","name":"Globex launch","stage":"open","client":{"name":"Globex","email":"ops@globex.test"},"amount":8000}'
  curl -s -XPOST ${mock.url}/crm/deals/deal-2/close-won
  curl -s '${mock.url}/chat/messages?channel=owner-alerts'                                # the owner's alert
  open ${monitor.url}/queue                                                              # the failed deal
  curl -s -XDELETE '${mock.url}/_control/faults?system=taskboard'                         # task board back
Then press Replay on the queue page (or: HANDOFF_MONITOR_TOKEN=${state.monitorToken} HANDOFF_MONITOR_PORT=${monitorPort} npx handoff-monitor replay --handoff sales-to-delivery-kickoff)
and watch the incident resolve as recovered and the owner get one "Recovered" message.

Press Ctrl-C to stop everything.`);
}

type N8n = Awaited<ReturnType<typeof startN8n>>;

/** One credential for the monitor; updated in place on restarts so workflows keep pointing at it. */
async function upsertCredential(n8n: N8n, state: StackState, data: { url: string; token: string }) {
  const body = { name: CREDENTIAL_NAME, type: 'handoffMonitorApi', data };
  if (state.credentialId) {
    try {
      return await n8n.api<{ id: string; name: string }>('PATCH', `/credentials/${state.credentialId}`, body);
    } catch {
      // Deleted in the editor meanwhile: create a new one below.
    }
  }
  const created = await n8n.createCredential(CREDENTIAL_NAME, 'handoffMonitorApi', data);
  state.credentialId = created.id;
  return created;
}

/** Credentials the templates reference for the mock systems; the mocks accept any token. */
const MOCK_CREDENTIALS: Record<string, { name: string; data: Record<string, string> }> = {
  'task-board-token': { name: 'Task board token (mock)', data: { headerName: 'Authorization', token: 'Bearer local-task-board-token' } },
  'cms-token': { name: 'CMS token (mock)', data: { headerName: 'Authorization', token: 'Bearer local-cms-token' } },
};
/** Templates that should run as soon as the stack is up: the kickoff's webhook and its error workflow. */
const ACTIVATE = new Set(['error-workflow.json', 'sales-to-delivery-kickoff.json']);

interface TemplateWorkflow {
  id?: string;
  name: string;
  nodes: { type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }[];
  connections: unknown;
  settings?: Record<string, unknown>;
  tags?: { name: string }[];
}

/**
 * Imports each template once. The public API assigns new ids, so the error workflow goes first and
 * the others' "Error workflow" setting is pointed at its new id; credential references are pointed
 * at the stack's credentials; tags are attached (the monitor maps workflows to handoffs by tag).
 */
async function importTemplates(n8n: N8n, state: StackState, credential: { id: string; name: string }): Promise<string[]> {
  if (!fs.existsSync(TEMPLATES_DIR)) return [];
  const files = fs
    .readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => Number(b === 'error-workflow.json') - Number(a === 'error-workflow.json') || a.localeCompare(b));
  const templates = files
    .map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as TemplateWorkflow }))
    .filter((t) => Array.isArray(t.workflow.nodes)); // a JSON Schema or other data is not a workflow
  const idMap = new Map<string, string>(Object.entries(state.templateIds ?? {}));
  const credentialFor = await mockCredentials(n8n, state);

  for (const { file, workflow } of templates) {
    if (state.imported[file]) continue;
    for (const node of workflow.nodes) {
      for (const [type, ref] of Object.entries(node.credentials ?? {})) {
        if (type === 'handoffMonitorApi') node.credentials![type] = credential;
        else if (credentialFor[ref.id]) node.credentials![type] = credentialFor[ref.id];
      }
    }
    const errorWorkflow = workflow.settings?.errorWorkflow;
    if (typeof errorWorkflow === 'string' && idMap.has(errorWorkflow)) workflow.settings!.errorWorkflow = idMap.get(errorWorkflow);
    try {
      const { id } = await n8n.importWorkflow(workflow);
      state.imported[file] = id;
      if (workflow.id) idMap.set(workflow.id, id);
      if (workflow.tags?.length) await tagWorkflow(n8n, id, workflow.tags);
      if (ACTIVATE.has(file)) await n8n.activate(id);
    } catch (err) {
      console.warn(`Could not import ${file}: ${(err as Error).message}`);
    }
  }
  state.templateIds = Object.fromEntries(idMap);
  return templates.map((t) => `${t.workflow.name}${ACTIVATE.has(t.file) ? ' (active)' : ''}`);
}

async function mockCredentials(n8n: N8n, state: StackState): Promise<Record<string, { id: string; name: string }>> {
  state.mockCredentials ??= {};
  for (const [ref, { name, data }] of Object.entries(MOCK_CREDENTIALS)) {
    if (!state.mockCredentials[ref]) {
      const created = await n8n.createCredential(name, 'handoffTokenAuthApi', data);
      state.mockCredentials[ref] = { id: created.id, name: created.name };
    }
  }
  return state.mockCredentials;
}

async function tagWorkflow(n8n: N8n, workflowId: string, tags: { name: string }[]) {
  const existing = (await n8n.api<{ data: { id: string; name: string }[] }>('GET', '/tags?limit=250')).data;
  const ids: { id: string }[] = [];
  for (const { name } of tags) {
    const found = existing.find((t) => t.name === name) ?? (await n8n.api<{ id: string; name: string }>('POST', '/tags', { name }));
    ids.push({ id: found.id });
  }
  await n8n.api('PUT', `/workflows/${workflowId}/tags`, ids);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
