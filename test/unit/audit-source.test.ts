/**
 * The audit's shells: reading every page of workflows (archived ones marked, the published
 * version preferred), the dashboard's cached source, the formats, the exit codes and the command
 * (draft written through the given writer, n8n errors as exit 2).
 */
import { n8nWorkflowWithNodesSchema, type N8nWorkflowLister, type N8nWorkflowWithNodes } from '../../monitor/src/collector/n8n-client';
import { AUDIT_EXIT, exitCodeFor, parseAuditOptions, runAuditCommand } from '../../monitor/src/audit/command';
import { formatAudit } from '../../monitor/src/audit/format';
import { fromN8n } from '../../monitor/src/audit/from-n8n';
import { runAudit } from '../../monitor/src/audit/analyse';
import { createAuditSource, readWorkflows } from '../../monitor/src/audit/source';
import type { ContractStore } from '../../monitor/src/contract/store';
import { parseContract } from '../../monitor/src/contract/load';
import * as W from './audit-workflows';

/** A workflow as GET /api/v1/workflows lists it. */
const listed = (json: W.WorkflowJson, id: string, extra: Record<string, unknown> = {}): N8nWorkflowWithNodes =>
  n8nWorkflowWithNodesSchema.parse({
    id,
    name: json.name,
    active: false,
    activeVersionId: null,
    isArchived: false,
    nodes: json.nodes,
    connections: json.connections,
    settings: json.settings,
    tags: (json.tags ?? []).map((t) => ({ id: t.name, name: t.name })),
    activeVersion: null,
    pinData: { huge: [] },
    ...extra,
  });

function pagedClient(all: N8nWorkflowWithNodes[], pageSize = 2): N8nWorkflowLister & { calls: (string | undefined)[] } {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    async listWorkflowsWithNodes(cursor) {
      calls.push(cursor);
      const offset = cursor ? Number(cursor) : 0;
      const data = all.slice(offset, offset + pageSize);
      return { data, nextCursor: offset + pageSize < all.length ? String(offset + pageSize) : undefined };
    },
  };
}

const E = W.TEMPLATE_ERROR_WORKFLOW_ID;
const t = W.templates();
const SET = [
  listed(t['sales-to-delivery-kickoff.json'], 'k1', { active: true, activeVersionId: 'v1', tags: [{ id: '1', name: 'handoff-kickoff' }] }),
  listed(t['error-workflow.json'], E, { active: true, activeVersionId: 'v2' }),
  listed(W.unguarded(), 'u1'),
  listed(W.archived(), 'a1', { isArchived: true }),
  listed(W.noComplete(E), 'c1'),
];

describe('reading workflows', () => {
  it('reads every page, one request per page, and marks archived workflows', async () => {
    const client = pagedClient(SET, 2);
    const workflows = await readWorkflows(client);
    expect(client.calls).toEqual([undefined, '2', '4']);
    expect(workflows.map((w) => [w.id, w.published, w.archived])).toEqual([
      ['k1', true, false],
      [E, true, false],
      ['u1', false, false],
      ['a1', false, true],
      ['c1', false, false],
    ]);
    const report = runAudit(workflows, parseContract(W.SHIPPED_CONTRACT));
    expect(report.counts).toMatchObject({ workflows: 4, archived: 1 });
    expect(report.workflows.find((w) => w.id === 'k1')!.safeguards.contract).toBe('sales-to-delivery-kickoff');
  });

  it('stops on a cursor n8n sends twice', async () => {
    const client: N8nWorkflowLister = { listWorkflowsWithNodes: async () => ({ data: [SET[0]], nextCursor: 'same' }) };
    await expect(readWorkflows(client)).rejects.toThrow(/cursor same twice/);
  });

  it('audits the published version of a published workflow, the draft otherwise', () => {
    const draft = W.unguarded();
    const published = W.retriedPost(E);
    const w = fromN8n(
      listed(draft, 'p1', {
        active: true,
        activeVersionId: 'v9',
        activeVersion: { versionId: 'v9', nodes: published.nodes, connections: published.connections },
      }),
    );
    expect(w).toMatchObject({ version: 'published', published: true });
    expect(w.nodes.map((n) => n.name)).toContain('Create ClickUp task');
    expect(fromN8n(listed(draft, 'p2'))).toMatchObject({ version: 'draft', published: false });
  });

  it('keeps the node settings that decide retries and errors', () => {
    const w = fromN8n(listed(W.retriedPost(E), 'r1'));
    expect(w.nodes.find((n) => n.name === 'Create ClickUp task')).toMatchObject({ retryOnFail: true, maxTries: 3, typeVersion: 4.2 });
  });
});

describe('the dashboard source', () => {
  const contracts = (loadedAt = 1): ContractStore & { loadedAt: number } => {
    const store = {
      loadedAt,
      current: () => parseContract(W.SHIPPED_CONTRACT),
      status: () => ({ loadedAt: store.loadedAt, source: 'file' as const }),
      reload: () => undefined,
      close: () => undefined,
    };
    return store as unknown as ContractStore & { loadedAt: number };
  };

  it('reads n8n at most once per TTL, once for concurrent pages, again after a contract reload', async () => {
    let now = 1_000;
    const client = pagedClient(SET, 250);
    const store = contracts();
    const source = createAuditSource({ client, contracts: store, now: () => now, ttlMs: 60_000 });
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect(a).toBe(b);
    expect(client.calls).toHaveLength(1);
    expect(a.ok && a.report.counts.workflows).toBe(4);
    expect(a.ok && a.draft).toMatch(/workflows: \["u1"\]/);
    now += 59_000;
    await source.current();
    expect(client.calls).toHaveLength(1);
    store.loadedAt = 2;
    await source.current();
    expect(client.calls).toHaveLength(2);
    now += 61_000;
    await source.current();
    expect(client.calls).toHaveLength(3);
  });

  it('with waitMs, answers in time: pending at first, the previous audit while a new read runs', async () => {
    let release: () => void = () => undefined;
    let now = 0;
    const client: N8nWorkflowLister = {
      listWorkflowsWithNodes: () => new Promise((resolve) => (release = () => resolve({ data: SET }))),
    };
    const source = createAuditSource({ client, contracts: contracts(), now: () => now, ttlMs: 1_000 });
    expect(await source.current({ waitMs: 10 })).toMatchObject({ ok: false, pending: true });
    release();
    const first = await source.current();
    expect(first.ok).toBe(true);
    now += 5_000;
    // Stale now: a new read starts, and the map gets the previous audit meanwhile.
    expect(await source.current({ waitMs: 10 })).toBe(first);
    release();
    const second = await source.current();
    expect(second).not.toBe(first);
    expect(second.at).toBe(5_000);
  });

  it('answers an n8n failure as a snapshot that says why', async () => {
    const source = createAuditSource({
      client: { listWorkflowsWithNodes: async () => Promise.reject(new Error('n8n at http://x is unreachable: ECONNREFUSED')) },
      contracts: contracts(),
    });
    expect(await source.current()).toMatchObject({ ok: false, error: expect.stringMatching(/unreachable/) });
  });
});

describe('formats, exit codes and the command', () => {
  const report = runAudit([...SET.map(fromN8n), fromN8n(listed(W.retriedPost(E), 'r1'))], parseContract(W.SHIPPED_CONTRACT), {
    now: Date.parse('2026-12-01T09:00:00Z'),
    n8nBaseUrl: 'http://n8n.local:5678',
  });

  it('text: findings first with workflow, node, why and fix; then workflows and systems', () => {
    const text = formatAudit(report, 'text');
    expect(text).toMatch(/^Handoff audit — 2026-12-01T09:00:00.000Z — http:\/\/n8n.local:5678\n5 workflows read \(1 archived, skipped\)/);
    expect(text).toMatch(
      / {2}HIGH {3}HubSpot deal won → Asana \+ Drive \+ Slack \(u1\) › Create Asana task {2}\[no-gate\]\n {9}A repeated HubSpot event runs 'Create Asana task' again and creates a second task in Asana\.\n {9}Fix: /,
    );
    expect(text.indexOf('Findings')).toBeLessThan(text.indexOf('\nWorkflows'));
    expect(text).toMatch(/guards {4}claim no · complete n\/a · retries none · QA no · exception path no/);
  });

  it('markdown: tables, with what users typed escaped', () => {
    const md = formatAudit(report, 'markdown');
    expect(md).toMatch(/^# Handoff audit/);
    expect(md).toMatch(/\| severity \| workflow \| node \| why \| fix \|/);
    expect(md).toContain('Sales → delivery kickoff');
    expect(md).toContain('HubSpot deal won → Asana \\+ Drive \\+ Slack');
  });

  it('json: the whole report', () => {
    expect(JSON.parse(formatAudit(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it.each([
    ['high', AUDIT_EXIT.findings],
    ['medium', AUDIT_EXIT.findings],
    ['none', AUDIT_EXIT.ok],
  ] as const)('--fail-on %s → exit %d', (failOn, code) => {
    expect(exitCodeFor(report, failOn)).toBe(code);
  });

  it('--fail-on high passes when only low findings are left', () => {
    const templatesOnly = runAudit([SET[0], SET[1]].map(fromN8n), parseContract(W.SHIPPED_CONTRACT));
    expect(templatesOnly.findings.every((f) => f.severity === 'low')).toBe(true);
    expect(exitCodeFor(templatesOnly, 'high')).toBe(0);
    expect(exitCodeFor(templatesOnly, 'low')).toBe(1);
  });

  it('refuses unknown formats and severities', () => {
    expect(parseAuditOptions({ format: 'html' })).toMatchObject({ ok: false, message: expect.stringMatching(/text, markdown, json/) });
    expect(parseAuditOptions({ failOn: 'critical' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/high, medium, low, none/),
    });
    expect(parseAuditOptions({})).toEqual({ ok: true, request: { format: 'text', failOn: 'high', draftFile: undefined } });
  });

  it('writes the draft through the given writer and says so on stderr', async () => {
    const files: Record<string, string> = {};
    const out = await runAuditCommand(
      { format: 'json', failOn: 'none', draftFile: 'draft.yaml' },
      {
        client: pagedClient(SET),
        contract: parseContract(W.SHIPPED_CONTRACT),
        contractLoaded: true,
        writeFile: (f, text) => (files[f] = text),
      },
    );
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout).counts.workflows).toBe(4);
    expect(files['draft.yaml']).toMatch(/workflows: \["u1"\]/);
    expect(out.stderr).toMatch(/Draft contract for 2 uncovered workflow\(s\) written to draft.yaml/);
  });

  it('exits 2 when n8n cannot be read', async () => {
    const out = await runAuditCommand(
      { format: 'text', failOn: 'high' },
      {
        client: {
          listWorkflowsWithNodes: () => Promise.reject(new Error('n8n answered GET /api/v1/workflows with HTTP 401 (check N8N_API_KEY)')),
        },
        contract: parseContract(W.SHIPPED_CONTRACT),
        contractLoaded: true,
        writeFile: () => undefined,
      },
    );
    expect(out).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr: expect.stringMatching(/could not read the workflows: .*HTTP 401 \(check N8N_API_KEY\)/),
    });
  });
});
