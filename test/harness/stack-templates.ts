/**
 * How `npm start` (stack.ts) puts workflows-templates/*.json into its n8n: each template once, through
 * the public API, with the template's pinned sample data (the kickoff's sample closed-won deal, so
 * "Test workflow" in the editor runs on it), its tags (the monitor maps workflows to handoffs by
 * tag), its credentials pointed at the stack's, and the kickoff and its error workflow published.
 * A module of its own so that test/e2e/stack.test.ts imports exactly what `npm start` runs.
 */
import fs from 'fs';
import path from 'path';
import type { N8nInstance } from './n8n';
import { REPO_ROOT } from './pack';

export const TEMPLATES_DIR = path.join(REPO_ROOT, 'workflows-templates');

/** What the stack remembers between starts about the templates (kept in .handoff/stack.json). */
export interface TemplateImportState {
  /** Template file → workflow id, so a restart does not import a second copy. */
  imported: Record<string, string>;
  /** A template's own id (e.g. the error workflow's) → the id n8n gave it on import. */
  templateIds?: Record<string, string>;
  /** Template credential reference → the credential created for the mock systems. */
  mockCredentials?: Record<string, { id: string; name: string }>;
}

type N8n = Pick<N8nInstance, 'api' | 'importWorkflow' | 'activate' | 'createCredential'>;

/** Credentials the templates reference for the mock systems; the mocks accept any token. */
const MOCK_CREDENTIALS: Record<string, { name: string; data: Record<string, string> }> = {
  'task-board-token': { name: 'Task board token (mock)', data: { headerName: 'Authorization', token: 'Bearer local-task-board-token' } },
  'cms-token': { name: 'CMS token (mock)', data: { headerName: 'Authorization', token: 'Bearer local-cms-token' } },
};
/** Templates that should run as soon as the stack is up: the kickoff's webhook and its error workflow. */
export const ACTIVATE = new Set(['error-workflow.json', 'sales-to-delivery-kickoff.json']);

interface TemplateWorkflow {
  id?: string;
  name: string;
  nodes: { type: string; parameters?: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }[];
  connections: unknown;
  settings?: Record<string, unknown>;
  tags?: { name: string }[];
  /** Sample input pinned to a node (the kickoff's trigger): what "Test workflow" runs on in the editor. */
  pinData?: Record<string, unknown>;
}

/**
 * Imports each template once. The public API assigns new ids, so the error workflow goes first and
 * the others' "Error workflow" setting is pointed at its new id; credential references are pointed
 * at the stack's credentials; pinned data goes in with the workflow (n8n 2.41's POST /workflows
 * takes `pinData`); tags are attached (the monitor maps workflows to handoffs by tag).
 */
export async function importTemplates(n8n: N8n, state: TemplateImportState, credential: { id: string; name: string }): Promise<string[]> {
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

async function mockCredentials(n8n: N8n, state: TemplateImportState): Promise<Record<string, { id: string; name: string }>> {
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
