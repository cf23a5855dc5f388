/** Routing rules and failure reading as tables (pure functions of the Exception Router). */
import { normaliseKind, readFailure } from '../../nodes/ExceptionRouter/failure';
import { defaultDedupKey } from '../../nodes/ExceptionRouter/incident';
import { routeIncident, RoutingRule } from '../../nodes/ExceptionRouter/rules';

const incident = {
  handoff: 'kickoff',
  kind: 'request_failed',
  severity: 'high',
  error: { message: 'HTTP 503 from task board', node: 'Create project' },
};
const rule = (field: RoutingRule['field'], operation: RoutingRule['operation'], value: string): RoutingRule => ({
  field,
  operation,
  value,
});

describe('routeIncident', () => {
  it.each([
    [[rule('kind', 'equals', 'request_failed')], 0],
    [[rule('kind', 'equals', 'REQUEST_FAILED')], 0],
    [[rule('kind', 'equals', 'invalid')], 1],
    [[rule('kind', 'notEquals', 'invalid')], 0],
    [[rule('severity', 'equals', 'critical'), rule('handoff', 'startsWith', 'kick')], 1],
    [[rule('node', 'contains', 'project')], 0],
    [[rule('errorMessage', 'regex', '^HTTP 5\\d\\d')], 0],
    [[rule('errorMessage', 'regex', '^HTTP 4\\d\\d')], 1],
    [[rule('kind', 'contains', 'failed'), rule('kind', 'contains', 'request')], 0],
    [[], 0],
  ])('%j → output %i', (rules, expected) => {
    expect(routeIncident(rules, incident)).toBe(expected);
  });
});

describe('readFailure', () => {
  it.each([
    [
      'our Failed output',
      { kind: 'request_failed', error: 'HTTP 503', _handoff: { handoff: 'h', key: 'd1' } },
      { handoff: 'h', key: 'd1', kind: 'request_failed', error: { message: 'HTTP 503' } },
    ],
    [
      'our Invalid output (kind in _handoff)',
      { _handoff: { handoff: 'h', key: 7, kind: 'invalid' } },
      { key: '7', kind: 'invalid', error: { message: 'The handoff step reported invalid' } },
    ],
    [
      'an error-output item',
      { id: 1, error: { message: 'Boom', node: { name: 'HTTP' } } },
      { kind: 'node_error', error: { message: 'Boom', node: 'HTTP' } },
    ],
    ['a Gate error item', { _handoff: { decision: 'error', reason: 'no key' } }, { kind: 'unknown', error: { message: 'no key' } }],
    [
      'an Error Trigger payload',
      { execution: { id: 9, url: 'u', error: { message: 'Down' }, lastNodeExecuted: 'Create' }, workflow: { id: 'w', name: 'W' } },
      {
        kind: 'workflow_error',
        error: { message: 'Down', node: 'Create' },
        execution: { id: '9', url: 'u', workflowId: 'w', workflowName: 'W' },
        fromErrorTrigger: true,
      },
    ],
    [
      'a trigger error',
      { trigger: { error: { message: 'Bad webhook' } }, workflow: { id: 'w' } },
      { kind: 'trigger_error', error: { message: 'Bad webhook' } },
    ],
  ])('%s', (_name, json, expected) => {
    expect(readFailure(json as never)).toMatchObject(expected);
  });

  it.each([
    ['Request Failed', 'request_failed'],
    ['qa-failed', 'qa_failed'],
    ['', undefined],
    ['42', undefined],
  ])('normalises kind %j → %j', (raw, kind) => {
    expect(normaliseKind(raw)).toBe(kind);
  });

  it('keys dedup by handoff, kind and idempotency key, else by workflow and node', () => {
    expect(defaultDedupKey('h', readFailure({ kind: 'invalid', _handoff: { key: 'd1' } }))).toBe('h:invalid:d1');
    expect(defaultDedupKey('h', readFailure({ execution: { error: { message: 'x', node: { name: 'N' } } }, workflow: { id: 'w' } }))).toBe(
      'h:workflow_error:w:N',
    );
  });
});
