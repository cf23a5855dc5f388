/**
 * What a node says before it runs (issue 15): the monitor the Gate and the Router need, that "Let
 * Items Through" can let duplicates through, that a POST or PATCH without an Idempotency-Key is never
 * retried — as a notice among the parameters, shown when it applies, and as a hint in the output
 * pane (its display condition evaluated by n8n's own expression code, as the editor does). Also the
 * small print: example placeholders say "e.g.", help text names `$json` (n8n's variable), not `$JSON`.
 */
import type { ICredentialType, INode, INodeParameters, INodeProperties, INodeType, NodeHint } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import fs from 'fs';
import path from 'path';

const ROOT = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
const nodes: Record<string, INodeType> = Object.fromEntries(
  pkg.n8n.nodes.map((p) => {
    const cls = path.basename(p, '.node.js');
    return [cls, new (require(path.join(ROOT, 'nodes', cls, `${cls}.node`))[cls])() as INodeType];
  }),
);
const credentials: ICredentialType[] = pkg.n8n.credentials.map((p) => {
  const cls = path.basename(p, '.credentials.js');
  return new (require(path.join(ROOT, 'credentials', `${cls}.credentials`))[cls])() as ICredentialType;
});

const latest = (node: INodeType) => Math.max(...[node.description.version].flat());
const asNode = (node: INodeType, parameters: INodeParameters, typeVersion = latest(node)): INode => ({
  id: 'n1',
  name: node.description.displayName,
  type: `n8n-nodes-handoff-guard.${node.description.name}`,
  typeVersion,
  position: [0, 0],
  parameters,
});

/** The notices n8n shows for these parameter values (defaults filled in as n8n does). */
function noticesShown(node: INodeType, values: INodeParameters, typeVersion = latest(node)): string[] {
  const n = asNode(node, values, typeVersion);
  const resolved = NodeHelpers.getNodeParameters(node.description.properties, values, true, false, n, node.description)!;
  return node.description.properties
    .filter((p) => p.type === 'notice' && NodeHelpers.displayParameter(resolved, p, n, node.description))
    .map((p) => p.displayName);
}

/** The hints the editor's output pane shows for these parameter values (n8n evaluates displayCondition). */
function hintsShown(node: INodeType, values: INodeParameters): NodeHint[] {
  const n = asNode(node, values);
  const nodeTypes = { getByName: () => node, getByNameAndVersion: () => node, getKnownTypes: () => ({}) };
  const wf = new Workflow({ nodes: [n], connections: {}, active: false, nodeTypes: nodeTypes as never });
  return (node.description.hints ?? []).filter(
    (h) => !h.displayCondition || wf.expression.getSimpleParameterValue(n, h.displayCondition, 'internal', {}) === true,
  );
}

describe('the Idempotency Gate', () => {
  const gate = nodes.IdempotencyGate;

  it.each([1, 1.1])('version %s says it needs the monitor, whatever the settings', (v) => {
    for (const operation of ['claim', 'complete', 'release'])
      expect(noticesShown(gate, { operation }, v)).toEqual([expect.stringMatching(/^Needs the Handoff Guard monitor/)]);
  });

  it('warns that "Let Items Through" can let duplicates through, only when it is chosen', () => {
    const passThrough = noticesShown(gate, { operation: 'claim', onMonitorUnreachable: 'passThrough' });
    expect(passThrough).toHaveLength(2);
    expect(passThrough[1]).toMatch(/Let Items Through.*second project/);
    expect(noticesShown(gate, { operation: 'claim', onMonitorUnreachable: 'fail' })).toHaveLength(1);
    expect(hintsShown(gate, { operation: 'claim', onMonitorUnreachable: 'passThrough' }).map((h) => h.type)).toEqual(['info', 'warning']);
    expect(hintsShown(gate, { operation: 'claim', onMonitorUnreachable: 'fail' }).map((h) => h.type)).toEqual(['info']);
    expect(hintsShown(gate, { operation: 'complete', onMonitorUnreachable: 'passThrough' }).map((h) => h.type)).toEqual(['info']);
  });
});

describe('the Exception Router', () => {
  it.each([1, 1.1, 1.2])('version %s says it needs the monitor', (v) => {
    const notices = noticesShown(nodes.ExceptionRouter, {}, v);
    expect(notices).toEqual([expect.stringMatching(/^Needs the Handoff Guard monitor: it records the incident/)]);
    expect(hintsShown(nodes.ExceptionRouter, {})).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Needs the Handoff Guard monitor/),
        location: 'outputPane',
        whenToDisplay: 'beforeExecution',
      }),
    ]);
  });
});

describe('Resilient Request', () => {
  const request = nodes.ResilientRequest;

  it.each(['POST', 'PATCH'])('warns that a %s without an Idempotency-Key is never retried', (method) => {
    expect(noticesShown(request, { method, keySource: 'none' })).toEqual([
      expect.stringMatching(/^Without an Idempotency-Key a POST or PATCH is never retried/),
    ]);
    expect(hintsShown(request, { method, keySource: 'none' })).toEqual([
      expect.objectContaining({ type: 'warning', location: 'ndv', whenToDisplay: 'always' }),
    ]);
  });

  it('says nothing when the key is sent, or the method is safe to repeat', () => {
    for (const values of [
      { method: 'POST' },
      { method: 'POST', keySource: 'expression' },
      { method: 'GET', keySource: 'none' },
      { method: 'PUT', keySource: 'none' },
      { method: 'DELETE', keySource: 'none' },
    ]) {
      expect({ values, notices: noticesShown(request, values), hints: hintsShown(request, values) }).toEqual({
        values,
        notices: [],
        hints: [],
      });
    }
  });
});

it('Preflight Validate and QA Verify have no monitor notice: the monitor only receives their optional checkpoints', () => {
  expect(noticesShown(nodes.PreflightValidate, {})).toEqual([]);
  expect(noticesShown(nodes.QaVerify, {})).toEqual([]);
});

/** Every parameter definition of a node, collections and fixed collections included. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
  return properties.flatMap((p) => {
    const nested = (p.options ?? []) as unknown[];
    const children = nested.flatMap((o) => {
      const opt = o as { values?: INodeProperties[]; type?: string; name?: string };
      if (Array.isArray(opt.values)) return allProperties(opt.values);
      if (opt.type) return allProperties([opt as INodeProperties]);
      return [];
    });
    return [p, ...children];
  });
}

it('example placeholders say "e.g." (the buttons of collections are labels, not examples)', () => {
  const placeholders: { where: string; placeholder: string }[] = [];
  for (const [name, node] of Object.entries(nodes)) {
    for (const p of allProperties(node.description.properties)) {
      if (p.placeholder && !['collection', 'fixedCollection'].includes(p.type))
        placeholders.push({ where: `${name}.${p.name}`, placeholder: String(p.placeholder) });
      for (const mode of p.modes ?? [])
        if (mode.type === 'string' && mode.placeholder)
          placeholders.push({ where: `${name}.${p.name}[${mode.name}]`, placeholder: mode.placeholder });
    }
  }
  for (const c of credentials)
    for (const p of c.properties)
      if (p.placeholder) placeholders.push({ where: `${c.name}.${p.name}`, placeholder: String(p.placeholder) });
  expect(placeholders.length).toBeGreaterThan(25);
  expect(placeholders.filter((p) => !p.placeholder.startsWith('e.g. '))).toEqual([]);
});

it("help text names n8n's variable $json, never $JSON, and shows it on the Key fields", () => {
  const texts = Object.values(nodes).flatMap((node) =>
    allProperties(node.description.properties).flatMap((p) => [p.description, p.hint, p.displayName, String(p.placeholder ?? '')]),
  );
  expect(texts.filter((t) => t && /\$JSON/.test(t))).toEqual([]);
  const key = (node: INodeType, name: string) => node.description.properties.find((p) => p.name === name)!;
  expect(key(nodes.IdempotencyGate, 'key').hint).toBe('e.g. {{ $json.dealId }}-kickoff');
  expect(key(nodes.ResilientRequest, 'keyExpression').hint).toBe('e.g. {{ $json.dealId }}-kickoff');
});
