/**
 * Issue 16 on the real n8n 2.41.1: the shipped templates (the kickoff and its error workflow
 * published, as `npm start` has them) and a planted set of realistic workflows, each with one known
 * gap, imported through the public API (native app nodes need no credentials to be imported; they
 * never run); one more is archived. `handoff-monitor audit` must report exactly the planted gaps
 * (plus the two documented low notes on the kickoff), the dashboard's map must draw the handoff
 * the contract lacks, and the drafted contract must pass `check` once its placeholders are filled.
 * The app table is checked against the node descriptions this n8n serves: every type exists, and the
 * defaults the audit assumes are n8n's.
 */
import express from 'express';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { APPS } from '../../monitor/src/audit/apps';
import { createAuditSource } from '../../monitor/src/audit/source';
import { createN8nClient } from '../../monitor/src/collector/n8n-client';
import { dashboardRoutes } from '../../monitor/src/dashboard/routes';
import { E2E_TIMEOUT_MS, startN8n, type N8nInstance } from '../harness/n8n';
import { stopAllServices } from '../harness/processes';
import { REPO, runCli } from '../support/cli';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import * as W from '../unit/audit-workflows';
import { createTemplateCredentials, deploy, KICKOFF_PATH, loadTemplate, pointAt, tagAsTemplate } from './support/templates';

jest.setTimeout(E2E_TIMEOUT_MS);

const MOCKS = 'http://127.0.0.1:5690';
const ARTIFACT = join(REPO, 'test-artifacts', 'e2e-audit-planted.txt');

let n8n: N8nInstance;
let dir: string;
let ids: Record<string, string>;
let env: Record<string, string>;

beforeAll(async () => {
  n8n = await startN8n();
  dir = mkdtempSync(join(tmpdir(), 'handoff-e2e-audit-'));
  const credentials = await createTemplateCredentials(
    n8n,
    { url: 'http://127.0.0.1:5680', token: 'audit-e2e-token-0123456789' },
    'tb-token-not-under-test',
  );
  const errorWorkflowId = await deploy(n8n, pointAt(loadTemplate('error-workflow.json'), { mockUrl: MOCKS, credentials }));
  const kickoffId = await deploy(
    n8n,
    pointAt(loadTemplate('sales-to-delivery-kickoff.json'), { mockUrl: MOCKS, credentials, errorWorkflowId }),
    KICKOFF_PATH,
  );
  await tagAsTemplate(n8n, kickoffId, 'sales-to-delivery-kickoff.json');
  const imported = async (wf: W.WorkflowJson) => (await n8n.importWorkflow(wf)).id;
  // Schedules stay unpublished: the test must not fire them.
  await imported(pointAt(loadTemplate('nightly-reconcile.json'), { mockUrl: MOCKS, credentials, errorWorkflowId }) as W.WorkflowJson);
  await imported(
    pointAt(loadTemplate('handoff-smoke-test.json'), {
      mockUrl: MOCKS,
      n8nUrl: n8n.baseUrl,
      credentials,
      errorWorkflowId,
    }) as W.WorkflowJson,
  );
  const briefErrors = await imported(W.briefErrorWorkflow());
  ids = {
    errorWorkflowId,
    kickoffId,
    unguarded: await imported(W.unguarded()),
    retriedPost: await imported(W.retriedPost(errorWorkflowId)),
    unpublishedErrors: await imported(W.unpublishedErrors(briefErrors)),
    unresolvedUrl: await imported(W.unresolvedUrl(errorWorkflowId)),
    noComplete: await imported(W.noComplete(errorWorkflowId)),
    archived: await imported(W.archived()),
  };
  await n8n.api('POST', `/workflows/${ids.archived}/archive`);
  writeFileSync(
    join(dir, 'handoffs.yaml'),
    W.plantedContract({
      retriedPost: ids.retriedPost,
      unpublishedErrors: ids.unpublishedErrors,
      unresolvedUrl: ids.unresolvedUrl,
      noComplete: ids.noComplete,
    }),
  );
  env = { N8N_BASE_URL: n8n.baseUrl, N8N_API_KEY: n8n.apiKey, HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml') };
});

afterAll(async () => {
  await n8n?.stop();
  await stopAllServices();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('reports exactly the planted gaps, most severe first, and exits 1 on a high one', async () => {
  const run = await runCli(['audit'], env, dir);
  mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(ARTIFACT, run.stdout);
  console.log(`handoff-monitor audit on n8n 2.41.1 (also in ${ARTIFACT}):\n${run.stdout}`);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/\n10 workflows read \(1 archived, skipped\), 6 handoffs \(1 guarded\); findings: 6 high, 5 medium, 2 low\n/);
  const findings = [...run.stdout.matchAll(/^ {2}(HIGH|MEDIUM|LOW) +(.+?)(?: › (.+?))? {2}\[([a-z-]+)\]$/gm)].map((m) => [
    m[2].replace(/ \([^()]+\)$/, ''),
    m[3],
    m[4],
    m[1].toLowerCase(),
  ]);
  expect(new Set(findings.map((f) => JSON.stringify(f)))).toEqual(new Set(W.PLANTED_FINDINGS.map((f) => JSON.stringify(f))));
  expect(findings).toHaveLength(W.PLANTED_FINDINGS.length);
  expect(run.stdout).not.toContain(W.archived().name);
});

it('reads what n8n 2.41.1 returns: published versions, tags, settings, node retry settings', async () => {
  const run = await runCli(['audit', '--format', 'json', '--fail-on', 'none'], env, dir);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  const byId = (id: string) => report.workflows.find((w: { id: string }) => w.id === id);
  expect(byId(ids.kickoffId)).toMatchObject({
    published: true,
    version: 'published',
    role: 'handoff',
    safeguards: { contract: 'sales-to-delivery-kickoff', claim: 'yes', complete: 'yes', qa: 'qa-verify', exceptionPath: 'both' },
  });
  expect(byId(ids.kickoffId).errorWorkflow).toEqual({
    id: ids.errorWorkflowId,
    name: 'Handoff errors → incident',
    exists: true,
    published: true,
  });
  expect(byId(ids.unguarded)).toMatchObject({ published: false, version: 'draft', source: 'hubspot', targets: ['asana', 'google-drive'] });
  expect(byId(ids.retriedPost).actions.find((a: { node: string }) => a.node === 'Create ClickUp task')).toMatchObject({
    retry: 'retry-on-fail',
    method: 'POST',
    system: 'clickup',
  });
  expect(byId(ids.archived)).toBeUndefined();
  expect(report.counts.archived).toBe(1);
});

it('drafts the uncovered handoff; check rejects the draft until owner and SLAs are filled in, then accepts it', async () => {
  const draftFile = join(dir, 'draft.yaml');
  const run = await runCli(['audit', '--draft-contract', draftFile, '--fail-on', 'none'], env, dir);
  expect(run.code).toBe(0);
  const draft = readFileSync(draftFile, 'utf8');
  expect(draft).toContain(`workflows: ["${ids.unguarded}"]`);
  expect(draft).toMatch(/source: hubspot\n\s+targets: \[asana, google-drive\]/);
  const rejected = await runCli(['check'], { HANDOFF_CONTRACTS: draftFile }, dir);
  expect(rejected.code).toBe(1);
  expect(rejected.stderr).toMatch(/owner\.name: needs a name/);
  writeFileSync(
    draftFile,
    draft
      .replace('name: ""', 'name: Dana Ops')
      .replace('completionSla: FILL-IN', 'completionSla: 15m')
      .replace('exceptionSla: FILL-IN', 'exceptionSla: 48h'),
  );
  const accepted = await runCli(['check'], { HANDOFF_CONTRACTS: draftFile }, dir);
  expect(accepted.stderr).toBe('');
  expect(accepted.code).toBe(0);
});

it('the dashboard map draws the handoff n8n runs but the contract lacks, dashed, linking to its findings', async () => {
  let m: TestMonitor | undefined;
  let server: Server | undefined;
  try {
    m = await startTestMonitor({ contract: readFileSync(join(dir, 'handoffs.yaml'), 'utf8') });
    const app = express();
    app.use(
      dashboardRoutes({
        store: m.monitor.store,
        contracts: m.monitor.contracts,
        token: m.token,
        public: false,
        now: Date.now,
        n8nBaseUrl: n8n.baseUrl,
        audit: createAuditSource({
          client: createN8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey }),
          contracts: m.monitor.contracts,
          n8nBaseUrl: n8n.baseUrl,
        }),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${m!.token}` } }).then((r) => r.text());
    const audit = await get('/audit');
    expect(audit).toContain(`id="wf-${ids.unguarded}"`);
    expect([...audit.matchAll(/<tr data-finding /g)]).toHaveLength(W.PLANTED_FINDINGS.length);
    const map = await get('/map');
    const dashed = [...map.matchAll(/<a href="\/audit#wf-([^"]+)" class="handoff discovered" data-workflow="([^"]+)"/g)];
    expect(dashed.map((d) => d[2])).toEqual([ids.unguarded, ids.unguarded]);
    expect(map).toMatch(/data-system="hubspot" data-discovered="true"/);
    expect(map).toMatch(/data-system="google-drive" data-discovered="true"/);
    expect(map).toContain('stroke-dasharray');
  } finally {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await m?.close();
  }
});

it('knows the app nodes as this n8n describes them: types exist, default resources and operations match', async () => {
  const login = await fetch(`${n8n.baseUrl}/rest/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ emailOrLdapLoginId: n8n.owner.email, password: n8n.owner.password }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  type Prop = { name: string; default?: unknown; displayOptions?: { show?: Record<string, unknown[]> }; options?: { value: unknown }[] };
  const types = (await (await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie } })).json()) as {
    name: string;
    version: number | number[];
    properties: Prop[];
  }[];
  const described = (name: string) => types.filter((t) => t.name === `n8n-nodes-base.${name}`);
  const problems: string[] = [];
  for (const app of APPS) {
    for (const trigger of app.triggers ?? [])
      if (described(trigger).length === 0) problems.push(`${app.id}: no trigger type n8n-nodes-base.${trigger}`);
    if (!app.node) continue;
    const descriptions = described(app.node);
    if (descriptions.length === 0) {
      problems.push(`${app.id}: no node type n8n-nodes-base.${app.node}`);
      continue;
    }
    const latest = descriptions.reduce((a, b) => (Math.max(...[a.version].flat()) >= Math.max(...[b.version].flat()) ? a : b));
    const resource = latest.properties.find((p) => p.name === 'resource');
    if (resource && app.resource !== resource.default)
      problems.push(`${app.id}: default resource is ${String(resource.default)}, the table says ${app.resource}`);
    for (const op of latest.properties.filter((p) => p.name === 'operation')) {
      const show = op.displayOptions?.show ?? {};
      if (show['@version']) continue;
      for (const r of (show.resource as string[] | undefined) ?? ['*']) {
        const ours = app.operations?.[r];
        if (ours === undefined) continue;
        if (ours !== op.default) problems.push(`${app.id}: ${r} defaults to ${String(op.default)}, the table says ${ours}`);
        if (!(op.options ?? []).some((o) => o.value === ours)) problems.push(`${app.id}: ${r} has no operation ${ours}`);
      }
    }
  }
  expect(problems).toEqual([]);
});
