/** Exception Router `execute`, output by output: inputs it accepts, rules, recording, release, notify, errors. */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleep: jest.fn(async () => undefined) }));

import { NodeOperationError, sleep } from 'n8n-workflow';
import { routerOutputs } from '../../nodes/ExceptionRouter/description';
import { ExceptionRouter } from '../../nodes/ExceptionRouter/ExceptionRouter.node';
import { fakeContext, fakeMonitor } from './exception-router-context';

// The monitor is faked through fetch (exception-router-context.ts).
afterEach(() => jest.restoreAllMocks());

const node = new ExceptionRouter();
const requestFailed = (key: string) => ({
  dealId: key,
  kind: 'request_failed',
  error: 'Task board answered 503',
  _handoff: { handoff: 'kickoff', key },
});
const errorTrigger = {
  execution: {
    id: '900',
    url: 'https://n8n.example.test/workflow/wf1/executions/900',
    error: { message: 'Connection refused', node: { name: 'Create project' } },
    lastNodeExecuted: 'Create project',
  },
  workflow: { id: 'wf1', name: 'Kickoff' },
};
const rules = {
  values: [
    { outputName: 'Data problems', field: 'kind', operation: 'equals', value: 'invalid' },
    { outputName: 'Outages', field: 'errorMessage', operation: 'regex', value: '5\\d\\d|refused' },
  ],
};

describe('Exception Router', () => {
  beforeEach(() => (sleep as jest.Mock).mockClear());

  describe('outputs', () => {
    it('declares one named output per rule plus the fallback, like Switch V3', () => {
      expect(routerOutputs({ rules, options: {} }).map((o) => o.displayName)).toEqual(['Data problems', 'Outages', 'Fallback']);
      expect(routerOutputs({ rules: { values: [{}] }, options: { fallbackOutputName: 'Other' } }).map((o) => o.displayName)).toEqual([
        'Rule 1',
        'Other',
      ]);
      expect(routerOutputs({}).map((o) => o.displayName)).toEqual(['Fallback']);
      // n8n evaluates the function from its source text, so it must run without any import.
      expect(new Function(`return (${routerOutputs})`)()({ rules, options: {} })).toHaveLength(3);
    });
  });

  describe('routing rules', () => {
    it('routes each item to the first matching rule, the rest to the fallback, keeping pairedItem', async () => {
      const { ctx } = fakeContext({
        items: [
          { ...requestFailed('d1'), kind: 'invalid' },
          requestFailed('d2'),
          { kind: 'qa_failed', _handoff: { handoff: 'kickoff', key: 'd3' } },
          errorTrigger,
        ],
        params: { rules, handoff: (i: number) => (i === 3 ? 'kickoff' : '') },
        monitor: fakeMonitor(),
      });
      const out = await node.execute.call(ctx);
      expect(out.map((o) => o.map((i) => i.pairedItem))).toEqual([[{ item: 0 }], [{ item: 1 }, { item: 3 }], [{ item: 2 }]]);
      expect(out[2][0].json._incident).toMatchObject({ kind: 'qa_failed', id: expect.any(Number) });
    });

    it('names the rule when its regular expression is broken', async () => {
      const { ctx } = fakeContext({
        items: [requestFailed('d1')],
        params: { rules: { values: [{ outputName: 'Bad', field: 'kind', operation: 'regex', value: '([' }] } },
        monitor: fakeMonitor(),
      });
      await expect(node.execute.call(ctx)).rejects.toThrow(/Routing rule 1 \(Bad\) is not a valid regular expression/);
    });
  });

  describe('the incident', () => {
    it('records one incident per failure with owner/SLA overrides, execution link and a redacted sample', async () => {
      const { ctx, monitorCalls } = fakeContext({
        items: [{ ...requestFailed('d1'), headers: { Authorization: 'Bearer abcdefghijklmnop' }, note: 'x'.repeat(5_000) }],
        params: { severity: 'critical', options: { ownerName: 'Pat', ownerChannel: '#pat', slaHours: 4, sampleMaxChars: 500 } },
        monitor: fakeMonitor(),
      });
      const [out] = await node.execute.call(ctx);
      const incident = monitorCalls[0].body;
      expect(monitorCalls[0].url).toBe('http://monitor.test/api/v1/incidents');
      expect(incident).toMatchObject({
        handoff: 'kickoff',
        dedupKey: 'kickoff:request_failed:d1',
        kind: 'request_failed',
        severity: 'critical',
        title: 'request_failed: Task board answered 503',
        owner: { name: 'Pat', channel: '#pat' },
        slaSeconds: 14_400,
        idempotencyKey: 'd1',
        error: { message: 'Task board answered 503' },
        execution: { id: '501', workflowId: 'wf7', workflowName: 'Kickoff', url: 'https://n8n.example.test/workflow/wf7/executions/501' },
      });
      expect(incident.context.sample.headers.Authorization).toBe('[redacted]');
      expect(JSON.stringify(incident.context).length).toBeLessThanOrEqual(520);
      expect(JSON.stringify(incident)).not.toContain('abcdefghijklmnop');
      expect(out[0].json._incident).toMatchObject({ id: 1, state: 'open', deduplicated: false, released: 'released' });
    });

    it('reads an Error Trigger payload: the failed execution, its node and workflow', async () => {
      const { ctx, monitorCalls } = fakeContext({ items: [errorTrigger], params: { handoff: 'kickoff' }, monitor: fakeMonitor() });
      await node.execute.call(ctx);
      expect(monitorCalls[0].body).toMatchObject({
        kind: 'workflow_error',
        dedupKey: 'kickoff:workflow_error:wf1:Create project',
        title: 'workflow_error in Create project: Connection refused',
        error: { message: 'Connection refused', node: 'Create project' },
        execution: { id: '900', url: 'https://n8n.example.test/workflow/wf1/executions/900', workflowId: 'wf1', workflowName: 'Kickoff' },
      });
      expect(monitorCalls).toHaveLength(1); // no key → nothing to release
    });

    it('reads n8n error-output items (json.error as an object) as node_error', async () => {
      const { ctx, monitorCalls } = fakeContext({
        items: [{ dealId: 5, error: { message: 'Bad gateway', description: 'upstream', httpCode: '502' } }],
        params: { handoff: 'kickoff' },
        monitor: fakeMonitor(),
      });
      await node.execute.call(ctx);
      expect(monitorCalls[0].body).toMatchObject({
        kind: 'node_error',
        error: { message: 'Bad gateway', description: 'upstream', httpCode: '502' },
      });
    });

    it('sends 50 identical failures under one dedup key, so the monitor keeps one incident', async () => {
      const { ctx, monitorCalls } = fakeContext({ items: Array.from({ length: 50 }, () => requestFailed('d1')), monitor: fakeMonitor() });
      const [out] = await node.execute.call(ctx);
      const incidentCalls = monitorCalls.filter((c) => c.url.endsWith('/incidents'));
      expect(new Set(incidentCalls.map((c) => c.body.dedupKey)).size).toBe(1);
      expect(out.at(-1)!.json._incident).toMatchObject({ id: 1, count: 50, deduplicated: true });
    });
  });

  describe('releasing the claim', () => {
    it('releases every key in one request per handoff, unless switched off', async () => {
      const { ctx, monitorCalls } = fakeContext({
        items: [requestFailed('d1'), requestFailed('d2'), requestFailed('d1')],
        monitor: fakeMonitor(),
      });
      await node.execute.call(ctx);
      const releases = monitorCalls.filter((c) => c.url.endsWith('/claims/release'));
      expect(releases).toHaveLength(1);
      expect(releases[0].body).toMatchObject({ handoff: 'kickoff', keys: ['d1', 'd2'] });

      const off = fakeContext({ items: [requestFailed('d1')], params: { releaseClaim: false }, monitor: fakeMonitor() });
      await node.execute.call(off.ctx);
      expect(off.monitorCalls.filter((c) => c.url.endsWith('/claims/release'))).toHaveLength(0);
    });
  });

  describe('direct notification', () => {
    it('retries a 503 through n8n sleep, then posts once; the Slack body is {text}', async () => {
      let n = 0;
      const { ctx, webhookCalls } = fakeContext({
        items: [requestFailed('d1')],
        params: { notify: 'slack', notifyUrl: 'https://hooks.slack.com/services/T/B/secret' },
        monitor: fakeMonitor(),
        webhook: () => ({ statusCode: ++n < 3 ? 503 : 200 }),
      });
      const [out] = await node.execute.call(ctx);
      expect(webhookCalls).toHaveLength(3);
      expect(sleep).toHaveBeenCalledTimes(2);
      expect(Object.keys(webhookCalls[2].body)).toEqual(['text']);
      expect(webhookCalls[2].body.text).toContain('Incident #1 on kickoff');
      expect(out[0].json._incident).toMatchObject({ notified: { attempts: 3 } });
    });

    it('does not retry a 4xx, and never echoes the webhook URL in the error', async () => {
      const { ctx, webhookCalls } = fakeContext({
        items: [requestFailed('d1')],
        params: { notify: 'webhook', notifyUrl: 'https://hooks.slack.com/services/T/B/secret' },
        monitor: fakeMonitor(),
        webhook: () => ({ statusCode: 404 }),
      });
      const error = await node.execute.call(ctx).catch((e) => e);
      expect(error).toBeInstanceOf(NodeOperationError);
      expect(String(error.message)).not.toContain('secret');
      expect(webhookCalls).toHaveLength(1);
    });
  });

  describe('errors', () => {
    it('fails with the item index when the monitor refuses, naming the fix', async () => {
      const { ctx } = fakeContext({
        items: [requestFailed('d1'), requestFailed('d2')],
        monitor: (call) =>
          call.body.dedupKey?.endsWith('d2')
            ? { statusCode: 400, body: { error: { code: 'invalid_request', message: 'Invalid incident: title must not be empty' } } }
            : fakeMonitor()(call),
      });
      const error = await node.execute.call(ctx).catch((e) => e);
      expect(error).toBeInstanceOf(NodeOperationError);
      expect(error.context.itemIndex).toBe(1);
      expect(error.message).toContain('title must not be empty');
    });

    it('under continue-on-fail, fails only the bad item and keeps the rest', async () => {
      const { ctx } = fakeContext({
        items: [requestFailed('d1'), { error: 'no handoff anywhere' }, requestFailed('d3')],
        continueOnFail: true,
        monitor: fakeMonitor(),
      });
      const [out] = await node.execute.call(ctx);
      expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
      expect(out[1].json.error).toContain('names no handoff');
      expect(out[0].json._incident).toMatchObject({ id: 1 });
      expect(out[2].json._incident).toMatchObject({ id: 2 });
    });

    it('routes without a monitor call when recording is off', async () => {
      const { ctx, monitorCalls } = fakeContext({ items: [{ error: 'x' }], params: { recordIncident: false, rules } });
      const out = await node.execute.call(ctx);
      expect(out[2]).toHaveLength(1);
      expect(monitorCalls).toHaveLength(0);
    });
  });
});

describe('failureTime: when the failure itself happened', () => {
  const { failureTime } = jest.requireActual('../../nodes/ExceptionRouter/failure') as typeof import('../../nodes/ExceptionRouter/failure');
  const now = Date.parse('2026-11-30T10:00:00Z');
  it('reads failedAt (a reconcile miss: the deal close time), from the item or its _handoff', () => {
    expect(failureTime({ failedAt: '2026-11-30T08:00:00Z' }, now)).toBe(Date.parse('2026-11-30T08:00:00Z'));
    expect(failureTime({ _handoff: { failedAt: '2026-11-30T09:00:00Z' } }, now)).toBe(Date.parse('2026-11-30T09:00:00Z'));
  });
  it("takes Resilient Request's first attempt: the last attempt's offset and duration before now", () => {
    const attempts = [
      { attempt: 1, atMs: 0, durationMs: 40 },
      { attempt: 2, atMs: 500, durationMs: 30 },
      { attempt: 3, atMs: 1_700, durationMs: 300 },
    ];
    expect(failureTime({ attempts }, now)).toBe(now - 2_000);
  });
  it('never reaches into the future, and says nothing when the item does not know', () => {
    expect(failureTime({ failedAt: '2027-01-01T00:00:00Z' }, now)).toBe(now);
    expect(failureTime({ failedAt: 'yesterday' }, now)).toBeUndefined();
    expect(failureTime({ error: 'boom' }, now)).toBeUndefined();
  });
});
