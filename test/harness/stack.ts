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
import { importTemplates, type TemplateImportState } from './stack-templates';

const STATE_DIR = path.join(REPO_ROOT, '.handoff');
const STATE_FILE = path.join(STATE_DIR, 'stack.json');
const CREDENTIAL_NAME = 'Handoff Monitor (local stack)';
/** Easy to type on a first visit; n8n wants 8+ characters, a digit and an uppercase letter. */
const DEFAULT_OWNER = { email: 'owner@handoff-guard.test', password: 'HandoffGuard-2025' };

interface StackState extends TemplateImportState {
  monitorToken: string;
  credentialId?: string;
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

  const contracts = path.join(REPO_ROOT, 'workflows-templates', 'handoffs.yaml');
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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
