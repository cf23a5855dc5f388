/**
 * One handoff picker (issue 15): the four nodes that name a handoff share one resource locator
 * (a list from the monitor, or an ID for expressions) and one list method; node versions from
 * before it keep the field they were saved with, so a saved workflow reads as it did — checked
 * with n8n's own parameter resolution and value extraction, which decide what a stored workflow means.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, INode, INodeParameters, INodeProperties, INodeType } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import { extractValue } from 'n8n-core/dist/execution-engine/node-execution-context/utils/extract-value';
import { ExceptionRouter } from '../../nodes/ExceptionRouter/ExceptionRouter.node';
import { IdempotencyGate } from '../../nodes/IdempotencyGate/IdempotencyGate.node';
import { PreflightValidate } from '../../nodes/PreflightValidate/PreflightValidate.node';
import { QaVerify } from '../../nodes/QaVerify/QaVerify.node';
import { ResilientRequest } from '../../nodes/ResilientRequest/ResilientRequest.node';
import { fakeMonitorFetch } from './monitor-fetch-fake';
import { HANDOFF_SEARCH_METHOD, PICKER_SINCE, readHandoff, searchHandoffs } from '../../nodes/shared/handoff-picker';

const PICKING = {
  idempotencyGate: new IdempotencyGate(),
  exceptionRouter: new ExceptionRouter(),
  preflightValidate: new PreflightValidate(),
  qaVerify: new QaVerify(),
};
type Picking = keyof typeof PICKING;
const names = Object.keys(PICKING) as Picking[];

const versions = (node: INodeType) => [node.description.version].flat();
const latest = (node: INodeType) => Math.max(...versions(node));
const asNode = (node: INodeType, typeVersion: number, parameters: INodeParameters): INode => ({
  id: 'n1',
  name: node.description.displayName,
  type: `n8n-nodes-handoff-guard.${node.description.name}`,
  typeVersion,
  position: [0, 0],
  parameters,
});
/** The "handoff" property n8n shows for a node of this version (n8n resolves duplicate names by displayOptions). */
const shownHandoff = (node: INodeType, typeVersion: number): INodeProperties =>
  NodeHelpers.findDisplayedProperty(
    'handoff',
    node.description.properties,
    {},
    asNode(node, typeVersion, {}),
    node.description,
  ) as INodeProperties;
/** What n8n runs with for stored parameters (defaults filled in for that version). */
const resolved = (node: INodeType, typeVersion: number, stored: INodeParameters) =>
  NodeHelpers.getNodeParameters(node.description.properties, stored, true, false, asNode(node, typeVersion, stored), node.description)!;

/** A context whose getNodeParameter behaves as n8n-core's: `extractValue` goes through n8n-core's own code. */
function contextFor(node: INodeType, typeVersion: number, handoff: unknown) {
  const n = asNode(node, typeVersion, { handoff } as INodeParameters);
  return {
    getNode: () => n,
    getNodeParameter: (name: string, _i: number, fallback: unknown, options?: { extractValue?: boolean }) => {
      const value = (n.parameters as Record<string, unknown>)[name] ?? fallback;
      return options?.extractValue ? extractValue(value as never, name, n, node) : value;
    },
  } as unknown as IExecuteFunctions;
}

describe('the four nodes that name a handoff share one picker', () => {
  it.each(names)('%s: the newest version shows the resource locator, listed by the shared method', (name) => {
    const node = PICKING[name];
    expect(latest(node)).toBe(PICKER_SINCE[name]);
    const picker = shownHandoff(node, latest(node));
    expect(picker).toMatchObject({ displayName: 'Handoff', type: 'resourceLocator', default: { mode: 'list', value: '' } });
    expect((picker.modes ?? []).map((m) => [m.name, m.type])).toEqual([
      ['list', 'list'],
      ['id', 'string'],
    ]);
    expect(picker.modes![0].typeOptions).toEqual({ searchListMethod: HANDOFF_SEARCH_METHOD, searchable: true });
    expect(picker.modes![1].placeholder).toBe('e.g. sales-to-delivery-kickoff');
    expect((node.methods?.listSearch as Record<string, unknown>)[HANDOFF_SEARCH_METHOD]).toBe(searchHandoffs);
  });

  it('is the same picker in all four, apart from whether a handoff is required (the Gate cannot run without one)', () => {
    const pickers = names.map((name) => shownHandoff(PICKING[name], latest(PICKING[name])));
    const shape = (p: INodeProperties) => ({
      ...p,
      description: undefined,
      displayOptions: undefined,
      required: undefined,
      modes: p.modes!.map((m) => ({ ...m, validation: undefined })),
    });
    for (const p of pickers) expect(shape(p)).toEqual(shape(pickers[0]));
    expect(Object.fromEntries(names.map((name, i) => [name, Boolean(pickers[i].required)]))).toEqual({
      idempotencyGate: true,
      exceptionRouter: false,
      preflightValidate: false,
      qaVerify: false,
    });
  });

  it('no node outside the four has a handoff field', () => {
    expect(new ResilientRequest().description.properties.some((p) => p.name === 'handoff')).toBe(false);
  });
});

describe('saved workflows keep working', () => {
  it.each([
    ['idempotencyGate', [1], 'options'],
    ['exceptionRouter', [1, 1.1], 'options'],
    ['preflightValidate', [1], 'string'],
    ['qaVerify', [1], 'string'],
  ] as const)('%s %j keeps its %s field and its saved plain string', (name, old, type) => {
    const node = PICKING[name];
    expect(versions(node)).toEqual([...old, PICKER_SINCE[name]]);
    for (const v of old) {
      expect(shownHandoff(node, v).type).toBe(type);
      expect(resolved(node, v, { handoff: 'sales-to-delivery-kickoff' }).handoff).toBe('sales-to-delivery-kickoff');
      expect(readHandoff(contextFor(node, v, 'sales-to-delivery-kickoff'))).toBe('sales-to-delivery-kickoff');
    }
  });

  it('reads the picker in either mode, and an empty picker as no handoff', () => {
    const gate = PICKING.idempotencyGate;
    expect(
      readHandoff(
        contextFor(gate, 1.1, {
          __rl: true,
          mode: 'list',
          value: 'sales-to-delivery-kickoff',
          cachedResultName: 'Sales → delivery kickoff',
        }),
      ),
    ).toBe('sales-to-delivery-kickoff');
    expect(readHandoff(contextFor(gate, 1.1, { __rl: true, mode: 'id', value: ' nightly ' }))).toBe('nightly');
    expect(readHandoff(contextFor(PICKING.exceptionRouter, 1.2, { __rl: true, mode: 'list', value: '' }))).toBe('');
    expect(resolved(PICKING.exceptionRouter, 1.2, {}).handoff).toEqual({ __rl: true, mode: 'list', value: '' });
  });

  it('validates a typed ID like the contract does, and leaves expressions to run time', () => {
    const issues = (name: Picking, value: string) => {
      const node = PICKING[name];
      const parameters = { handoff: { __rl: true, mode: 'id', value } } as INodeParameters;
      return (
        NodeHelpers.getNodeParametersIssues(node.description.properties, asNode(node, latest(node), parameters), node.description)
          ?.parameters?.handoff ?? []
      );
    };
    expect(issues('idempotencyGate', 'sales-to-delivery-kickoff')).toEqual([]);
    expect(issues('idempotencyGate', 'sales to delivery')).toEqual([expect.stringMatching(/letters, digits/)]);
    expect(issues('idempotencyGate', '={{ $json.handoff }}')).toEqual([]);
    expect(issues('idempotencyGate', '')).toEqual(expect.arrayContaining(['Parameter "Handoff" is required.']));
    expect(issues('exceptionRouter', '')).toEqual([]);
  });

  it('subtitles read the picker and the old plain string alike', () => {
    const cases: [Picking, number, unknown, string][] = [
      ['idempotencyGate', 1, 'kickoff', 'claim: kickoff'],
      ['idempotencyGate', 1.1, { __rl: true, mode: 'list', value: 'kickoff' }, 'claim: kickoff'],
      ['exceptionRouter', 1.1, 'kickoff', 'Incident: kickoff'],
      ['exceptionRouter', 1.2, { __rl: true, mode: 'id', value: 'kickoff' }, 'Incident: kickoff'],
      ['exceptionRouter', 1.2, { __rl: true, mode: 'list', value: '' }, 'Incident from item'],
    ];
    for (const [name, typeVersion, handoff, subtitle] of cases) {
      const node = PICKING[name];
      const n = asNode(node, typeVersion, { operation: 'claim', handoff } as INodeParameters);
      const nodeTypes = { getByName: () => node, getByNameAndVersion: () => node, getKnownTypes: () => ({}) };
      const wf = new Workflow({ nodes: [n], connections: {}, active: false, nodeTypes: nodeTypes as never });
      expect({ name, typeVersion, subtitle: wf.expression.getSimpleParameterValue(n, node.description.subtitle!, 'internal', {}) }).toEqual(
        { name, typeVersion, subtitle },
      );
    }
  });
});

describe('the list', () => {
  afterEach(() => jest.restoreAllMocks());
  const handoffs = [
    {
      id: 'sales-to-delivery-kickoff',
      name: 'Sales → delivery kickoff',
      owner: { name: 'Dana Ops', channel: '#delivery-ops' },
      completionSlaSeconds: 900,
      exceptionSlaSeconds: 172800,
    },
    { id: 'nightly', name: 'nightly', owner: { name: 'Sam Sales' }, completionSlaSeconds: 900, exceptionSlaSeconds: 172800 },
  ];
  function loadContext(answer: () => { statusCode: number; body: unknown }) {
    const calls: string[] = [];
    const ctx = {
      getNode: () => asNode(PICKING.qaVerify, 1.1, {}),
      getCredentials: async () => ({ url: 'http://monitor.test/', token: 'monitor-token-0123456789' }),
      helpers: {},
    } as unknown as ILoadOptionsFunctions;
    fakeMonitorFetch((request) => {
      calls.push(request.url);
      return answer();
    });
    return { ctx, calls };
  }

  it("lists the monitor's contract: name and id, the owner as description", async () => {
    const { ctx, calls } = loadContext(() => ({ statusCode: 200, body: { handoffs } }));
    expect(await searchHandoffs.call(ctx)).toEqual({
      results: [
        {
          name: 'Sales → delivery kickoff (sales-to-delivery-kickoff)',
          value: 'sales-to-delivery-kickoff',
          description: 'Owner: Dana Ops #delivery-ops',
        },
        { name: 'nightly', value: 'nightly', description: 'Owner: Sam Sales' },
      ],
    });
    expect(calls).toEqual(['http://monitor.test/api/v1/handoffs']);
  });

  it('filters by what was typed: id, name or owner, any case', async () => {
    const { ctx } = loadContext(() => ({ statusCode: 200, body: { handoffs } }));
    const values = async (filter: string) => (await searchHandoffs.call(ctx, filter)).results.map((r) => r.value);
    expect(await values('KICKOFF')).toEqual(['sales-to-delivery-kickoff']);
    expect(await values('sam')).toEqual(['nightly']);
    expect(await values('delivery')).toEqual(['sales-to-delivery-kickoff']);
    expect(await values('nothing like it')).toEqual([]);
  });

  it('says what to check when the monitor does not answer, and points to "By ID"', async () => {
    const { ctx } = loadContext(() => ({ statusCode: 401, body: { error: { code: 'unauthorized', message: 'Bad token' } } }));
    await expect(searchHandoffs.call(ctx)).rejects.toMatchObject({ description: expect.stringMatching(/credential.*"By ID"/) });
  });
});
