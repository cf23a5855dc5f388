/**
 * `handoff-monitor audit` as a user runs it: the compiled CLI as a child process, against the
 * fake n8n API over real HTTP (more than one page of workflows, an archived one, the templates
 * and the planted set), with the contract from HANDOFF_CONTRACTS. Exit codes for CI, the three
 * formats, and a drafted contract that `check` rejects until it is filled in, then accepts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensureMonitorBuilt, runCli } from '../support/cli';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';
import * as W from '../unit/audit-workflows';

const E = W.TEMPLATE_ERROR_WORKFLOW_ID;
const IDS = { retriedPost: 'wf-pipedrive', unpublishedErrors: 'wf-typeform', unresolvedUrl: 'wf-webflow', noComplete: 'wf-calendly' };
/** More than one page of 250, so the audit has to follow the cursor. */
const FILLERS = 260;

let fake: FakeN8n;
let dir: string;

function put(json: W.WorkflowJson, id: string, published: boolean, tags: string[] = []): void {
  fake.setWorkflow(id, tags, json.name);
  fake.putWorkflow({
    id,
    name: json.name,
    active: published,
    activeVersionId: published ? `v-${id}` : null,
    isArchived: json.isArchived ?? false,
    nodes: json.nodes,
    connections: json.connections,
    settings: json.settings,
  });
}

beforeAll(async () => {
  ensureMonitorBuilt();
  fake = await startFakeN8n();
  const t = W.templates();
  put(t['sales-to-delivery-kickoff.json'], 'kickoff', true, ['handoff-kickoff']);
  put(t['error-workflow.json'], E, true);
  put(t['nightly-reconcile.json'], 'reconcile', true);
  put(t['handoff-smoke-test.json'], 'smoke', true);
  put(W.unguarded(), 'wf-unguarded', false);
  put(W.retriedPost(E), IDS.retriedPost, false);
  put(W.briefErrorWorkflow(), 'wf-brief-errors', false);
  put(W.unpublishedErrors('wf-brief-errors'), IDS.unpublishedErrors, false);
  put(W.unresolvedUrl(E), IDS.unresolvedUrl, false);
  put(W.noComplete(E), IDS.noComplete, false);
  put(W.archived(), 'wf-archived', false);
  for (let i = 0; i < FILLERS; i++) {
    put(
      {
        name: `Scratch ${i}`,
        nodes: [{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }],
        connections: {},
        settings: {},
      },
      `zz-${String(i).padStart(3, '0')}`,
      false,
    );
  }
});
afterAll(() => fake?.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-audit-'));
  writeFileSync(join(dir, 'handoffs.yaml'), W.plantedContract(IDS));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({
  N8N_BASE_URL: fake.url,
  N8N_API_KEY: fake.apiKey,
  HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml'),
  HANDOFF_MONITOR_DB: join(dir, 'monitor.db'),
  ...extra,
});

describe('handoff-monitor audit', () => {
  it('reads every page of workflows and prints the planted gaps, most severe first; exits 1 on a high finding', async () => {
    fake.requests.length = 0;
    const run = await runCli(['audit'], env(), dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const pages = fake.requests.filter((r) => r.startsWith('/api/v1/workflows'));
    expect(pages).toEqual([
      '/api/v1/workflows?limit=250&excludePinnedData=true',
      '/api/v1/workflows?limit=250&excludePinnedData=true&cursor=250',
    ]);
    expect(run.stdout).toMatch(
      new RegExp(
        `^Handoff audit — .* — ${fake.url.replace(/[.]/g, '\\.')}\\n${10 + FILLERS} workflows read \\(1 archived, skipped\\), 6 handoffs \\(1 guarded\\); findings: 6 high, 5 medium, 2 low\\n`,
      ),
    );
    const findings = [...run.stdout.matchAll(/^ {2}(HIGH|MEDIUM|LOW) +(.+?)(?: › (.+?))? {2}\[([a-z-]+)\]$/gm)].map((m) => [
      m[2].replace(/ \([^()]+\)$/, ''),
      m[3],
      m[4],
      m[1].toLowerCase(),
    ]);
    expect(findings).toHaveLength(W.PLANTED_FINDINGS.length);
    expect(new Set(findings.map((f) => JSON.stringify(f)))).toEqual(new Set(W.PLANTED_FINDINGS.map((f) => JSON.stringify(f))));
    expect(run.stdout).toContain("A repeated HubSpot event runs 'Create Asana task' again and creates a second task in Asana.");
    expect(run.stdout).toContain('unresolved URL  Create CRM lead: {{ $vars.CRM_BASE_URL }}/api/leads');
    expect(run.stdout).not.toContain('Old HubSpot → Trello (archived)');
  });

  it('--fail-on decides the exit code', async () => {
    expect((await runCli(['audit', '--fail-on', 'none'], env(), dir)).code).toBe(0);
    expect((await runCli(['audit', '--fail-on', 'low'], env(), dir)).code).toBe(1);
    // Only the templates, with their two documented low notes: high and medium pass, low fails.
    writeFileSync(join(dir, 'handoffs.yaml'), W.SHIPPED_CONTRACT);
    const only = await startFakeN8n();
    try {
      const t = W.templates();
      for (const [file, id] of [
        ['sales-to-delivery-kickoff.json', 'kickoff'],
        ['error-workflow.json', E],
        ['nightly-reconcile.json', 'r'],
        ['handoff-smoke-test.json', 's'],
      ]) {
        only.setWorkflow(id, id === 'kickoff' ? ['handoff-kickoff'] : [], t[file].name);
        only.putWorkflow({
          id,
          name: t[file].name,
          active: true,
          activeVersionId: `v-${id}`,
          nodes: t[file].nodes,
          connections: t[file].connections,
          settings: t[file].settings,
        });
      }
      const e = env({ N8N_BASE_URL: only.url, N8N_API_KEY: only.apiKey });
      expect((await runCli(['audit'], e, dir)).code).toBe(0);
      expect((await runCli(['audit', '--fail-on', 'medium'], e, dir)).code).toBe(0);
      const low = await runCli(['audit', '--fail-on', 'low'], e, dir);
      expect(low.code).toBe(1);
      expect(low.stdout).toMatch(/4 workflows read, 1 handoff \(1 guarded\); findings: 0 high, 0 medium, 2 low/);
    } finally {
      await only.close();
    }
  });

  it('--format json and markdown', async () => {
    const json = await runCli(['audit', '--format', 'json', '--fail-on', 'none'], env(), dir);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.counts).toMatchObject({ workflows: 10 + FILLERS, archived: 1, handoffs: 6, findings: { high: 6, medium: 5, low: 2 } });
    expect(report.workflows.find((w: { id: string }) => w.id === 'wf-unguarded')).toMatchObject({
      role: 'handoff',
      source: 'hubspot',
      targets: ['asana', 'google-drive'],
    });
    const md = await runCli(['audit', '--format', 'markdown', '--fail-on', 'none'], env(), dir);
    expect(md.stdout).toMatch(/^# Handoff audit\n/);
    expect(md.stdout).toMatch(/\| high \| HubSpot deal won → Asana \\\+ Drive \\\+ Slack \| Create Asana task \|/);
  });

  it('--draft-contract writes entries for the uncovered workflow that check rejects until filled in, then accepts', async () => {
    const draftFile = join(dir, 'draft.yaml');
    const run = await runCli(['audit', '--draft-contract', draftFile, '--fail-on', 'none'], env(), dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /Draft contract for 1 uncovered workflow\(s\) written to .*draft\.yaml: fill in each owner and the FILL-IN SLAs/,
    );
    const draft = readFileSync(draftFile, 'utf8');
    expect(draft).toMatch(/workflows: \["wf-unguarded"\]/);

    const rejected = await runCli(['check'], { HANDOFF_CONTRACTS: draftFile }, dir);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/line \d+: handoffs\[0\] \(hubspot-deal-won-asana-drive-slack\)\.owner\.name: needs a name/);
    expect(rejected.stderr).toMatch(/completionSla: "FILL-IN" is not a duration/);
    expect(rejected.stderr).toMatch(/exceptionSla: "FILL-IN" is not a duration/);

    writeFileSync(
      draftFile,
      draft
        .replace('name: ""', 'name: Sam Sales')
        .replace('completionSla: FILL-IN', 'completionSla: 30m')
        .replace('exceptionSla: FILL-IN', 'exceptionSla: 24h'),
    );
    const accepted = await runCli(['check'], { HANDOFF_CONTRACTS: draftFile }, dir);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/hubspot-deal-won-asana-drive-slack: owner Sam Sales, completion SLA 30m, exception SLA 1d/);
  });

  it('exits 2 on bad usage, without n8n, with a wrong API key, or with a bad contract', async () => {
    const badFormat = await runCli(['audit', '--format', 'html'], env(), dir);
    expect(badFormat).toMatchObject({ code: 2, stdout: '' });
    expect(badFormat.stderr).toMatch(/--format "html" is not a format; use one of text, markdown, json/);
    expect((await runCli(['audit', '--fail-on', 'critical'], env(), dir)).stderr).toMatch(/use one of high, medium, low, none/);
    expect((await runCli(['audit', '--bogus'], env(), dir)).code).toBe(2);

    const noN8n = await runCli(['audit'], { HANDOFF_CONTRACTS: join(dir, 'handoffs.yaml') }, dir);
    expect(noN8n.code).toBe(2);
    expect(noN8n.stderr).toMatch(/set N8N_BASE_URL and N8N_API_KEY/);

    const wrongKey = await runCli(['audit'], env({ N8N_API_KEY: 'wrong-key-0123456789' }), dir);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(
      /could not read the workflows: n8n answered GET \/api\/v1\/workflows with HTTP 401 \(check N8N_API_KEY\)/,
    );
    expect(wrongKey.stderr).not.toContain('wrong-key-0123456789');

    writeFileSync(join(dir, 'handoffs.yaml'), 'handoffs: [{ id: x }]');
    const badContract = await runCli(['audit'], env(), dir);
    expect(badContract.code).toBe(2);
    expect(badContract.stderr).toMatch(/Contract .*handoffs\.yaml is invalid/);
  });

  it('--help explains the exit codes', async () => {
    const help = await runCli(['audit', '--help'], {}, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--draft-contract <file>/);
    expect(help.stdout).toMatch(/Exit codes: 0 no finding at or above\s+--fail-on, 1 at least one, 2 bad usage or n8n could not be read/);
  });
});
