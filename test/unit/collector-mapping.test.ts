/** Workflow → handoff mapping (ids or tags) and naming the failing node from execution data. */
import { failingNode } from '../../monitor/src/collector/failing-node';
import { buildResolver, usesTags } from '../../monitor/src/collector/mapping';
import { contractSchema } from '../../monitor/src/contract/schema';

const contract = contractSchema.parse({
  systems: { crm: { name: 'CRM' } },
  handoffs: [
    { id: 'kickoff', source: 'crm', targets: ['crm'], owner: { name: 'Dana' }, workflows: ['101', 'Kickoff'] },
    { id: 'invoicing', source: 'crm', targets: ['crm'], owner: { name: 'Ivy' }, workflows: [202, '101'] },
  ],
});

describe('buildResolver', () => {
  const tags = new Map([
    ['303', ['kickoff']],
    ['404', ['other', 'KICKOFF']],
    ['505', ['other']],
  ]);
  it.each([
    ['101', 'kickoff'],
    ['202', 'invoicing'],
    ['303', 'kickoff'],
    ['404', 'kickoff'],
    ['505', undefined],
    ['999', undefined],
  ])('workflow %s → %s', (workflowId, handoff) => {
    expect(buildResolver(contract, tags)(workflowId)).toBe(handoff);
  });

  it('counts a workflow listed twice for the first handoff in contract order', () => {
    expect(buildResolver(contract, new Map())('101')).toBe('kickoff');
  });

  it('knows when GET /workflows is worth calling', () => {
    expect(usesTags(contract, new Set(['101', '202']))).toBe(true);
    expect(usesTags(contract, new Set(['101', '202', 'Kickoff']))).toBe(false);
  });
});

describe('failingNode', () => {
  it.each([
    [
      'the error names its node',
      { resultData: { error: { message: 'boom', node: { name: 'HTTP' } }, lastNodeExecuted: 'HTTP' } },
      { node: 'HTTP', message: 'boom' },
    ],
    [
      'a run with executionStatus error',
      {
        resultData: {
          runData: { Webhook: [{ executionStatus: 'success' }], Board: [{ executionStatus: 'error', error: { message: '500' } }] },
        },
      },
      { node: 'Board', message: '500' },
    ],
    ['only lastNodeExecuted', { resultData: { runData: {}, lastNodeExecuted: 'Wait' } }, { node: 'Wait' }],
    ['no data at all', undefined, {}],
    ['an unexpected shape', { resultData: { runData: { A: 'not an array' } } }, {}],
  ])('%s', (_label, data, expected) => {
    expect(failingNode(data)).toEqual(expected);
  });

  it('cuts a very long message', () => {
    const found = failingNode({ resultData: { error: { message: 'x'.repeat(5_000) } } });
    expect(found.message).toHaveLength(2_000);
  });
});
