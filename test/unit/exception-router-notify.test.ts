/**
 * The Exception Router's direct notification (issue 13, item 5: one failure, one message per
 * destination): version 1.1 posts once per incident, version 1 keeps posting every repeat, and a
 * saved node keeps the behaviour it was saved with — checked with n8n's own parameter resolution,
 * which is what decides what a stored workflow means.
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleep: jest.fn(async () => undefined) }));

import { NodeHelpers, type IExecuteFunctions, type INodeParameters } from 'n8n-workflow';
import { defaultNotifyOn } from '../../nodes/ExceptionRouter/description';
import { ExceptionRouter } from '../../nodes/ExceptionRouter/ExceptionRouter.node';
import { fakeContext, fakeMonitor, type FakeOptions } from './exception-router-context';

// The monitor is faked through fetch (exception-router-context.ts).
afterEach(() => jest.restoreAllMocks());

const node = new ExceptionRouter();
const { description } = node;
const requestFailed = (key: string) => ({
  dealId: key,
  kind: 'request_failed',
  error: 'Task board answered 503',
  _handoff: { handoff: 'kickoff', key },
});
const slack = { notify: 'slack', notifyUrl: 'https://hooks.slack.com/services/T/B/secret' };

/** What n8n makes of stored parameters: the values it runs with (defaults filled in for this version). */
const resolved = (typeVersion: number, stored: INodeParameters) =>
  NodeHelpers.getNodeParameters(description.properties, stored, true, false, { typeVersion }, description)!;
/** What n8n stores when it saves a node: only values that differ from their default. */
const saved = (typeVersion: number, values: INodeParameters) =>
  NodeHelpers.getNodeParameters(description.properties, values, false, false, { typeVersion }, description)!;

/** The fake context, for a node of one version (the shared fake is a version-1 node). */
function routerAt(typeVersion: number, opts: FakeOptions) {
  const fake = fakeContext(opts);
  const getNode = fake.ctx.getNode.bind(fake.ctx);
  (fake.ctx as unknown as { getNode: IExecuteFunctions['getNode'] }).getNode = () => ({ ...getNode(), typeVersion });
  return fake;
}

describe('versions and defaults', () => {
  it('is version 1.2 for new nodes (1.2 only changed the handoff field) and still runs 1 and 1.1', () => {
    expect(description.version).toEqual([1, 1.1, 1.2]);
    expect(defaultNotifyOn(1)).toBe('every');
    expect(defaultNotifyOn(1.1)).toBe('opened');
    expect(defaultNotifyOn(1.2)).toBe('opened');
    expect(resolved(1.2, slack).notifyOn).toBe('opened');
  });

  it('a saved version-1 node (no "Notify On" stored) keeps posting every failure', () => {
    expect(resolved(1, slack).notifyOn).toBe('every');
  });

  it('a new node posts on a new incident only, and n8n stores nothing for that default', () => {
    expect(resolved(1.1, slack).notifyOn).toBe('opened');
    expect(saved(1.1, { ...slack, notifyOn: 'opened' })).not.toHaveProperty('notifyOn');
    expect(saved(1.1, { ...slack, notifyOn: 'every' })).toMatchObject({ notifyOn: 'every' });
    // Opened from a version-1 workflow, "every" is that version's default: nothing changes on save either.
    expect(saved(1, { ...slack, notifyOn: 'every' })).not.toHaveProperty('notifyOn');
  });

  it('shows "Notify On" only with a direct notification, and keeps "No" as the default', () => {
    expect(resolved(1.1, {}).notify).toBe('none');
    expect(resolved(1.1, {})).not.toHaveProperty('notifyOn');
  });
});

describe('posting', () => {
  it('version 1.1: the first failure of an incident posts, its repeats do not', async () => {
    const monitor = fakeMonitor();
    const first = routerAt(1.1, { items: [requestFailed('d1')], params: slack, monitor });
    const [out1] = await node.execute.call(first.ctx);
    expect(first.webhookCalls).toHaveLength(1);
    expect(out1[0].json._incident).toMatchObject({ id: 1, deduplicated: false, notified: { attempts: 1 } });

    const repeat = routerAt(1.1, { items: [requestFailed('d1'), requestFailed('d1')], params: slack, monitor });
    const [out2] = await node.execute.call(repeat.ctx);
    expect(repeat.webhookCalls).toHaveLength(0);
    expect(out2.map((i) => i.json._incident)).toEqual([
      expect.objectContaining({ id: 1, deduplicated: true, notified: { skipped: 'repeat of an open incident' } }),
      expect.objectContaining({ id: 1, deduplicated: true, notified: { skipped: 'repeat of an open incident' } }),
    ]);
  });

  it('version 1.1: two deals in one run are two incidents, two posts', async () => {
    const { ctx, webhookCalls } = routerAt(1.1, {
      items: [requestFailed('d1'), requestFailed('d2')],
      params: slack,
      monitor: fakeMonitor(),
    });
    await node.execute.call(ctx);
    expect(webhookCalls.map((c) => c.body.text.split('\n')[0])).toEqual([
      expect.stringMatching(/^Incident #1 /),
      expect.stringMatching(/^Incident #2 /),
    ]);
  });

  it('version 1.1 set to "Every Failure", and version 1, post every repeat as before', async () => {
    for (const [typeVersion, params] of [
      [1.1, { ...slack, notifyOn: 'every' }],
      [1, slack],
    ] as const) {
      const monitor = fakeMonitor();
      await node.execute.call(routerAt(typeVersion, { items: [requestFailed('d1')], params, monitor }).ctx);
      const repeat = routerAt(typeVersion, { items: [requestFailed('d1')], params, monitor });
      await node.execute.call(repeat.ctx);
      expect({ typeVersion, posts: repeat.webhookCalls.length }).toEqual({ typeVersion, posts: 1 });
    }
  });

  it('without recording, nothing says what is a repeat: every item posts', async () => {
    const { ctx, webhookCalls, monitorCalls } = routerAt(1.1, {
      items: [requestFailed('d1'), requestFailed('d1')],
      params: { ...slack, recordIncident: false },
      monitor: fakeMonitor(),
    });
    await node.execute.call(ctx);
    expect(webhookCalls).toHaveLength(2);
    expect(monitorCalls.filter((c) => c.url.endsWith('/api/v1/incidents'))).toHaveLength(0);
  });
});
