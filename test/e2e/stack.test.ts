/**
 * What `npm start` imports into its n8n (test/harness/stack-templates.ts, the code stack.ts runs),
 * in the pinned n8n 2.41.1: every template once, each with the sample data it pins — the kickoff
 * opens in the editor with the sample closed-won deal on its trigger, so "Test workflow" runs on it
 * — with its tags, the kickoff's "Error workflow" pointing at the imported error workflow, and the
 * kickoff and its error workflow published. A restart (a second import with the saved state) adds
 * nothing.
 */
import { E2E_TIMEOUT_MS, N8nInstance, startN8n } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { ACTIVATE, importTemplates, type TemplateImportState } from '../harness/stack-templates';
import { loadTemplate, templateFiles } from './support/templates';

jest.setTimeout(E2E_TIMEOUT_MS);

const KICKOFF = 'sales-to-delivery-kickoff.json';
const ERROR_WORKFLOW = 'error-workflow.json';

/** A workflow as the editor loads it (GET /rest/workflows/:id, the owner's session). */
interface EditorWorkflow {
  id: string;
  name: string;
  active: boolean;
  settings?: { errorWorkflow?: string };
  pinData?: Record<string, { json: unknown }[]> | null;
  tags?: { name: string }[];
}

let n8n: N8nInstance;
const state: TemplateImportState = { imported: {} };
const workflowFiles = templateFiles().filter((f) => Array.isArray(loadTemplate(f).nodes));

beforeAll(async () => {
  n8n = await startN8n();
});
afterAll(async () => {
  await n8n?.stop();
  await stopAllServices();
});

const inEditor = (file: string) => n8n.session.rest<EditorWorkflow>('GET', `/workflows/${state.imported[file]}`);

it('imports every template once, as npm start does, with nothing refused', async () => {
  const credential = await n8n.createCredential('Handoff Monitor (local stack)', 'handoffMonitorApi', {
    url: 'http://127.0.0.1:5680',
    token: 'stack-test-token-0123456789abcdef',
  });
  const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    await importTemplates(n8n, state, credential);
    expect(warnings.mock.calls).toEqual([]);
  } finally {
    warnings.mockRestore();
  }
  expect(Object.keys(state.imported).sort()).toEqual([...workflowFiles].sort());
});

it('keeps each template’s pinned sample data: the kickoff opens with the sample closed-won deal on its trigger', async () => {
  for (const file of workflowFiles) {
    const shipped = loadTemplate(file).pinData ?? {};
    expect({ file, pinData: (await inEditor(file)).pinData ?? {} }).toEqual({ file, pinData: shipped });
  }
  const kickoff = await inEditor(KICKOFF);
  expect(Object.keys(kickoff.pinData ?? {})).toEqual(['CRM deal closed-won']);
  expect(kickoff.pinData!['CRM deal closed-won'][0].json).toMatchObject({
    body: { event: 'deal.closed_won', stage: 'closed-won', dealId: expect.any(String) },
  });
});

it('tags each template as it ships, points the kickoff at the imported error workflow and publishes the two', async () => {
  for (const file of workflowFiles) {
    const wf = await inEditor(file);
    const tags = (loadTemplate(file).tags as { name: string }[] | undefined) ?? [];
    expect({ file, tags: (wf.tags ?? []).map((t) => t.name).sort() }).toEqual({ file, tags: tags.map((t) => t.name).sort() });
    const published = (await n8n.api<{ active: boolean }>('GET', `/workflows/${state.imported[file]}`)).active;
    expect({ file, published }).toEqual({ file, published: ACTIVATE.has(file) });
  }
  expect((await inEditor(KICKOFF)).settings?.errorWorkflow).toBe(state.imported[ERROR_WORKFLOW]);
});

it('a restart imports nothing twice', async () => {
  const before = (await n8n.api<{ data: unknown[] }>('GET', '/workflows?limit=250')).data.length;
  const ids = { ...state.imported };
  await importTemplates(n8n, state, { id: 'unused', name: 'unused' });
  expect(state.imported).toEqual(ids);
  expect((await n8n.api<{ data: unknown[] }>('GET', '/workflows?limit=250')).data.length).toBe(before);
});
