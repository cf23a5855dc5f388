/**
 * Static checks of workflows-templates/: what an import into n8n would only reveal later (a
 * dangling connection, an unwired failure output, a schema that drifted from its file, a handoff
 * the contract does not know, a secret in a template). The e2e tests run the same files.
 */
import fs from 'fs';
import path from 'path';
import { parseContract } from '../../monitor/src/contract/load';

const DIR = path.join(__dirname, '../../workflows-templates');
const PACK = 'n8n-nodes-handoff-guard.';

type Node = {
  name: string;
  type: string;
  typeVersion: number;
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
};
type Workflow = {
  id?: string;
  name: string;
  nodes: Node[];
  connections: Record<string, { main: { node: string }[][] }>;
  settings?: { errorWorkflow?: string };
};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
const workflows = Object.fromEntries(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Workflow]));
const kickoff = workflows['sales-to-delivery-kickoff.json'];
const contract = parseContract(fs.readFileSync(path.join(DIR, 'handoffs.yaml'), 'utf8'));
const packNodes = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).n8n.nodes as string[]).map((p) =>
  path.basename(p, '.node.js'),
);
/** The versions a pack node declares, from its source (e.g. the Exception Router: 1 and 1.1). */
const declaredVersions = (cls: string): number[] => {
  const name = cls[0].toUpperCase() + cls.slice(1);
  const NodeClass = require(`../../nodes/${name}/${name}.node`)[name] as new () => { description: { version: number | number[] } };
  return [new NodeClass().description.version].flat();
};

const node = (wf: Workflow, name: string) => wf.nodes.find((n) => n.name === name)!;
/** Names of the nodes wired to output `index` of `from`. */
const wiredTo = (wf: Workflow, from: string, index: number) => (wf.connections[from]?.main[index] ?? []).map((c) => c.node);

it('ships the four templates of issue 8', () => {
  expect(Object.keys(workflows).sort()).toEqual([
    'error-workflow.json',
    'handoff-smoke-test.json',
    'nightly-reconcile.json',
    'sales-to-delivery-kickoff.json',
  ]);
});

describe.each(files)('%s', (file) => {
  const wf = workflows[file];

  it('has unique node names and connections only between its own nodes', () => {
    const names = wf.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [from, { main }] of Object.entries(wf.connections)) {
      expect(names).toContain(from);
      for (const target of main.flat()) expect(names).toContain(target.node);
    }
  });

  it('uses pack nodes that exist, at their latest version (so an import gets the current defaults)', () => {
    for (const n of wf.nodes.filter((x) => x.type.startsWith(PACK))) {
      const cls = n.type.slice(PACK.length);
      expect(packNodes.map((p) => p[0].toLowerCase() + p.slice(1))).toContain(cls);
      expect({ node: n.name, typeVersion: n.typeVersion }).toEqual({ node: n.name, typeVersion: Math.max(...declaredVersions(cls)) });
    }
  });

  it('names only handoffs the contract knows, through the handoff picker (its list mode)', () => {
    const known = contract.handoffs.map((h) => h.id);
    for (const n of wf.nodes.filter((x) => x.type.startsWith(PACK) && x.parameters.handoff)) {
      expect({ node: n.name, handoff: n.parameters.handoff }).toEqual({
        node: n.name,
        handoff: { __rl: true, mode: 'list', value: expect.any(String), cachedResultName: expect.any(String) },
      });
      expect(known).toContain((n.parameters.handoff as { value: string }).value);
    }
  });

  it('carries credential references, never credential values', () => {
    for (const n of wf.nodes) for (const ref of Object.values(n.credentials ?? {})) expect(Object.keys(ref).sort()).toEqual(['id', 'name']);
    expect(JSON.stringify(wf)).not.toMatch(/Bearer\s+\w|hooks\.slack\.com\/services\/T/);
  });

  it('sets system base URLs once, in its Config node (the error workflow has one URL, on its router)', () => {
    const outside = wf.nodes.filter((n) => n.name !== 'Config' && /https?:\/\/(127\.0\.0\.1|localhost)/.test(JSON.stringify(n.parameters)));
    if (file === 'error-workflow.json') expect(outside.map((n) => n.name)).toEqual(['Exception Router']);
    else expect(outside).toEqual([]);
  });

  it('names the error workflow by the id error-workflow.json carries', () => {
    if (file === 'error-workflow.json') expect(wf.nodes[0].type).toBe('n8n-nodes-base.errorTrigger');
    else expect(wf.settings?.errorWorkflow).toBe(workflows['error-workflow.json'].id);
  });
});

describe('the kickoff', () => {
  it('validates against schemas/deal.schema.json, verbatim', () => {
    const inNode = JSON.parse(node(kickoff, 'Validate deal').parameters.schema as string);
    expect(inNode).toEqual(JSON.parse(fs.readFileSync(path.join(DIR, 'schemas/deal.schema.json'), 'utf8')));
  });

  it('runs webhook → config → validate → claim → project → folder → read-back QA → review gate → complete → brief', () => {
    const path: string[] = [];
    for (let at: string | undefined = 'CRM deal closed-won'; at; at = wiredTo(kickoff, at, 0)[0])
      path.push(node(kickoff, at).type.replace('n8n-nodes-base.', '').replace(PACK, ''));
    expect(path.filter((t) => t !== 'set')).toEqual([
      'webhook',
      'preflightValidate',
      'idempotencyGate',
      'resilientRequest',
      'resilientRequest',
      'resilientRequest',
      'resilientRequest',
      'qaVerify',
      'if',
      'httpRequest',
      'wait',
      'if',
      'idempotencyGate',
      'if',
      'httpRequest',
    ]);
  });

  it('wires every Invalid, Failed, Fail and Conflict output to the Exception Router', () => {
    const reachesRouter = (from: string, index: number) =>
      wiredTo(kickoff, from, index).some((n) => n === 'Exception Router' || wiredTo(kickoff, n, 0).includes('Exception Router'));
    const failing = kickoff.nodes.flatMap((n): [name: string, output: number][] => {
      const short = n.type.replace(PACK, '');
      if (short === 'resilientRequest' || short === 'preflightValidate' || short === 'qaVerify') return [[n.name, 1]];
      if (short === 'idempotencyGate' && n.parameters.operation === 'claim') return [[n.name, 2]];
      return [];
    });
    expect(failing.length).toBe(7);
    for (const [name, index] of failing) expect({ name, routed: reachesRouter(name, index) }).toEqual({ name, routed: true });
  });

  it('is carried by the handoff whose workflows list names its tag', () => {
    const tags = (kickoff as unknown as { tags: { name: string }[] }).tags.map((t) => t.name);
    const handoff = contract.handoffs.find((h) => h.id === 'sales-to-delivery-kickoff')!;
    expect(handoff.workflows.some((w) => tags.includes(w))).toBe(true);
  });
});
