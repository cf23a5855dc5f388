/**
 * The audit at the scale (issue 16: 500 workflows of 30 nodes each in ≤ 5 s):
 *   - end to end as `handoff-monitor audit` does it: every workflow read through an n8n-shaped API
 *     (the fake n8n, pages of 250, over HTTP), analysed against a contract of 250 handoffs, and
 *     printed as text; target ≤ 5 s;
 *   - the analysis alone (runAudit), and per workflow.
 * The workflows are generated in the shapes the templates use (webhook or app trigger, a Config Set
 * node whose URLs the audit resolves, Preflight, Gate, Resilient Request writes with Failed routed,
 * app nodes, QA Verify, Complete) with a third left unguarded and some URLs hidden in expressions,
 * so every rule runs. The fake runs in this process, so the figure includes serving the pages.
 * Run: npx tsx bench/audit.ts [workflows] [nodes]
 */
import { runAudit } from '../monitor/src/audit/analyse';
import { formatAudit } from '../monitor/src/audit/format';
import { readWorkflows } from '../monitor/src/audit/source';
import { createN8nClient } from '../monitor/src/collector/n8n-client';
import { parseContract } from '../monitor/src/contract/load';
import { startFakeN8n, type FakeWorkflowNode } from '../test/support/fake-n8n';
import { fmt, report } from './lib/report';

const WORKFLOWS = Number(process.argv[2] ?? 500);
const NODES = Number(process.argv[3] ?? 30);
const ROUNDS = 5;
const TARGET_MS = 5_000;
const HG = 'n8n-nodes-handoff-guard.';

type Links = [string, string, number?][];

/** One workflow of exactly `NODES` nodes; `i` picks its shape. */
function workflow(i: number): { nodes: FakeWorkflowNode[]; connections: Record<string, unknown>; settings: Record<string, unknown> } {
  const guarded = i % 3 !== 0;
  const nodes: FakeWorkflowNode[] = [];
  const links: Links = [];
  let last = '';
  const add = (
    name: string,
    type: string,
    typeVersion: number,
    parameters: Record<string, unknown>,
    extra: Partial<FakeWorkflowNode> = {},
  ) => {
    nodes.push({ name, type, typeVersion, position: [nodes.length * 200, 300], parameters, ...extra });
    return name;
  };
  const chain = (name: string) => {
    if (last) links.push([last, name]);
    last = name;
  };
  chain(
    i % 2
      ? add('Deal won', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: `deal-won-${i}`, responseMode: 'onReceived', options: {} })
      : add('HubSpot deal', 'n8n-nodes-base.hubspotTrigger', 1, { eventsUi: { eventValues: [{ name: 'deal.creation' }] } }),
  );
  chain(
    add('Config', 'n8n-nodes-base.set', 3.4, {
      mode: 'manual',
      assignments: {
        assignments: [
          { id: 'a', name: 'boardUrl', value: `https://board${i % 7}.agency.example/api`, type: 'string' },
          { id: 'b', name: 'cmsUrl', value: 'https://cms.agency.example/api', type: 'string' },
        ],
      },
    }),
  );
  const router = add('Exception Router', `${HG}exceptionRouter`, 1.2, {
    handoff: { __rl: true, mode: 'id', value: `h${i % 250}` },
    notify: 'none',
  });
  chain(add('Validate', `${HG}preflightValidate`, 1.1, { mode: 'rules' }));
  links.push(['Validate', router, 1]);
  if (guarded) {
    chain(
      add('Claim', `${HG}idempotencyGate`, 1.1, {
        operation: 'claim',
        handoff: { __rl: true, mode: 'id', value: `h${i % 250}` },
        keySource: 'field',
        keyField: 'dealId',
      }),
    );
    links.push(['Claim', router, 2]);
  }
  chain(
    add('Create project', `${HG}resilientRequest`, 1, {
      method: 'POST',
      url: "={{ $('Config').first().json.boardUrl }}/projects",
      keySource: 'field',
    }),
  );
  links.push(['Create project', router, 1]);
  chain(
    add('Create folder', `${HG}resilientRequest`, 1, {
      method: 'POST',
      url: i % 5 === 0 ? '={{ $vars.CMS_URL }}/folders' : "={{ $('Config').first().json.cmsUrl }}/folders",
      keySource: 'field',
    }),
  );
  links.push(['Create folder', router, 1]);
  chain(add('Asana task', 'n8n-nodes-base.asana', 1, { workspace: '1', name: '=x' }, i % 4 === 0 ? { retryOnFail: true } : {}));
  chain(add('Drive folder', 'n8n-nodes-base.googleDrive', 3, { resource: 'folder', name: '=x' }));
  chain(
    add('Read back', `${HG}resilientRequest`, 1, {
      method: 'GET',
      url: '=https://board0.agency.example/api/projects/{{ $json.id }}',
      keySource: 'none',
    }),
  );
  links.push(['Read back', router, 1]);
  if (guarded) {
    chain(add('Verify', `${HG}qaVerify`, 1.1, { mode: 'compare', handoff: { __rl: true, mode: 'id', value: `h${i % 250}` } }));
    links.push(['Verify', router, 1]);
    chain(
      add('Complete', `${HG}idempotencyGate`, 1.1, {
        operation: 'complete',
        handoff: { __rl: true, mode: 'id', value: `h${i % 250}` },
        keySource: 'field',
        keyField: '_handoff.key',
      }),
    );
  }
  chain(add('Tell the team', 'n8n-nodes-base.slack', 2.3, { select: 'channel', text: '=done' }));
  chain(
    add(
      'Notify ops',
      'n8n-nodes-base.httpRequest',
      4.2,
      { method: 'POST', url: 'https://hooks.slack.com/services/T000/B000/XXXX', options: {} },
      { retryOnFail: true },
    ),
  );
  // Fill to exactly NODES with the glue real workflows are full of: Set, IF, Code.
  for (let n = 0; nodes.length < NODES; n++) {
    const kinds: [string, number, Record<string, unknown>][] = [
      [
        'n8n-nodes-base.set',
        3.4,
        { mode: 'manual', assignments: { assignments: [{ id: 'x', name: `f${n}`, value: `={{ $json.v${n} }}`, type: 'string' }] } },
      ],
      [
        'n8n-nodes-base.if',
        2.2,
        { conditions: { conditions: [{ leftValue: '={{ $json.ok }}', operator: { type: 'boolean', operation: 'true' } }] } },
      ],
      ['n8n-nodes-base.code', 2, { jsCode: 'return items;' }],
    ];
    const [type, version, params] = kinds[n % 3];
    chain(add(`Step ${n + 1}`, type, version, params));
  }
  const connections: Record<string, { main: { node: string; type: string; index: number }[][] }> = {};
  for (const [from, to, output = 0] of links) {
    const c = (connections[from] ??= { main: [] });
    while (c.main.length <= output) c.main.push([]);
    c.main[output].push({ node: to, type: 'main', index: 0 });
  }
  return { nodes, connections, settings: i % 6 === 1 ? { errorWorkflow: 'errors' } : {} };
}

function contract(): string {
  const lines = [
    'systems:',
    '  hubspot: { name: HubSpot, kind: crm }',
    '  board0: { name: Board, kind: task_board, url: "https://board0.agency.example/api" }',
    '  cms: { name: CMS, kind: cms }',
    '  asana: { name: Asana, kind: task_board }',
    'handoffs:',
  ];
  for (let h = 0; h < 250; h++)
    lines.push(`  - { id: h${h}, source: hubspot, targets: [board0, cms], owner: { name: "Owner ${h % 20}" }, workflows: ["wf${h * 2}"] }`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const fake = await startFakeN8n();
  for (let i = 0; i < WORKFLOWS; i++) {
    const w = workflow(i);
    fake.putWorkflow({ id: `wf${i}`, name: `Handoff ${i}`, active: i % 2 === 0, activeVersionId: i % 2 === 0 ? `v${i}` : null, ...w });
  }
  const c = parseContract(contract());
  const client = createN8nClient({ baseUrl: fake.url, apiKey: fake.apiKey });

  const endToEnd: number[] = [];
  const analysis: number[] = [];
  let last = '';
  let findings = 0;
  let pages = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = fake.requests.length;
    const t0 = performance.now();
    const workflows = await readWorkflows(client);
    const t1 = performance.now();
    const r = runAudit(workflows, c, { n8nBaseUrl: fake.url });
    const t2 = performance.now();
    last = formatAudit(r, 'text');
    const t3 = performance.now();
    endToEnd.push(t3 - t0);
    analysis.push(t2 - t1);
    findings = r.findings.length;
    pages = fake.requests.length - before;
    if (r.counts.workflows !== WORKFLOWS) throw new Error(`read ${r.counts.workflows} workflows, expected ${WORKFLOWS}`);
  }
  await fake.close();
  const best = (xs: number[]) => Math.min(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const e2e = best(endToEnd);
  report(
    `Audit of ${fmt.int(WORKFLOWS)} workflows × ${NODES} nodes (issue 16)`,
    [
      {
        figure: `end to end: ${pages} API pages, analysis, text report (best of ${ROUNDS}; median ${fmt.ms(median(endToEnd))})`,
        value: fmt.ms(e2e),
        compare: `target ≤ ${fmt.int(TARGET_MS)} ms`,
        meets: e2e <= TARGET_MS,
      },
      {
        figure: `analysis alone, runAudit (best of ${ROUNDS})`,
        value: fmt.ms(best(analysis)),
        compare: `${((best(analysis) / WORKFLOWS) * 1000).toFixed(0)} µs per workflow`,
      },
      { figure: 'findings reported', value: fmt.int(findings), compare: `${fmt.int(last.length)} characters of text` },
    ],
    ['the fake n8n serves the pages from this process over loopback HTTP; a real n8n adds its own query time per page of 250'],
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
