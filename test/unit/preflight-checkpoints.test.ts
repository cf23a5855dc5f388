// Checkpoint reporting (shared by Preflight Validate and QA Verify): best-effort, batched, and
// silent without the optional credential.
import type { IExecuteFunctions } from 'n8n-workflow';
import { checkpointKey, MAX_EVENTS_PER_REQUEST, reportCheckpoints } from '../../nodes/shared/checkpoints';
import { fakeMonitorFetch } from './monitor-fetch-fake';

afterEach(() => jest.restoreAllMocks());

function fakeContext(opts: { credential?: boolean; respond?: (body: unknown) => { statusCode: number; body: unknown } | Error }) {
  const requests: Array<{ url: string; body: { events: unknown[] } }> = [];
  const hints: Array<{ message: string }> = [];
  const ctx = {
    getNode: () => ({ name: 'Preflight', credentials: opts.credential ? { handoffMonitorApi: { id: '1', name: 'm' } } : undefined }),
    getCredentials: async () => ({ url: 'http://127.0.0.1:5680', token: 't' }),
    getExecutionId: () => '42',
    getWorkflow: () => ({ id: 'wf1' }),
    getExecutionCancelSignal: () => undefined,
    addExecutionHints: (...h: Array<{ message: string }>) => hints.push(...h),
    helpers: {},
  } as unknown as IExecuteFunctions;
  fakeMonitorFetch((request) => {
    requests.push(request);
    return opts.respond?.(request.body) ?? { statusCode: 202, body: { accepted: request.body.events.length } };
  });
  return { ctx, requests, hints };
}

describe('checkpoint key', () => {
  it.each<[Record<string, unknown>, string, string | undefined]>([
    [{ dealId: 'D-1' }, 'dealId', 'D-1'],
    [{ deal: { id: 7 } }, 'deal.id', '7'],
    [{ dealId: '  ' }, 'dealId', undefined],
    [{ dealId: { a: 1 } }, 'dealId', undefined],
    [{ dealId: 'x'.repeat(513) }, 'dealId', undefined],
    [{ dealId: 'D-1' }, '', undefined],
  ])('%j via %p → %p', (json, field, key) => expect(checkpointKey(json as never, field)).toBe(key));
});

describe('reportCheckpoints', () => {
  it('does nothing without the Handoff Monitor credential', async () => {
    const { ctx, requests } = fakeContext({});
    expect(await reportCheckpoints(ctx, 'kickoff', [{ kind: 'validated' }])).toEqual({
      status: 'skipped',
      reason: 'no Handoff Monitor credential',
    });
    expect(requests).toHaveLength(0);
  });

  it('sends one batch with handoff and execution on every event', async () => {
    const { ctx, requests } = fakeContext({ credential: true });
    const outcome = await reportCheckpoints(ctx, 'kickoff', [
      { key: 'D-1', kind: 'validated' },
      { key: 'D-2', kind: 'invalid', details: { errors: [] } },
    ]);
    expect(outcome).toEqual({ status: 'sent', accepted: 2 });
    expect(requests).toHaveLength(1);
    expect(requests[0].url).toBe('http://127.0.0.1:5680/api/v1/events');
    expect(requests[0].body.events).toEqual([
      { handoff: 'kickoff', execution: { id: '42', workflowId: 'wf1' }, key: 'D-1', kind: 'validated' },
      { handoff: 'kickoff', execution: { id: '42', workflowId: 'wf1' }, key: 'D-2', kind: 'invalid', details: { errors: [] } },
    ]);
  });

  it("splits only past the monitor's per-request limit", async () => {
    const { ctx, requests } = fakeContext({ credential: true });
    const events = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => ({ kind: 'validated' }));
    await reportCheckpoints(ctx, 'kickoff', events);
    expect(requests.map((r) => r.body.events.length)).toEqual([MAX_EVENTS_PER_REQUEST, 1]);
  });

  it('asks for a handoff instead of sending events nobody can attribute', async () => {
    const { ctx, requests, hints } = fakeContext({ credential: true });
    expect(await reportCheckpoints(ctx, '', [{ kind: 'validated' }])).toMatchObject({ status: 'skipped' });
    expect(requests).toHaveLength(0);
    expect(hints[0].message).toMatch(/set "Handoff"/);
  });

  it.each<[string, () => { statusCode: number; body: unknown } | Error]>([
    ['a network error', () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a 503', () => ({ statusCode: 503, body: { error: { message: 'down' } } })],
    ['a 400', () => ({ statusCode: 400, body: { error: { code: 'invalid', message: 'bad kind' } } })],
  ])('turns %s into a hint, never a failure', async (_name, respond) => {
    const { ctx, hints } = fakeContext({ credential: true, respond });
    const outcome = await reportCheckpoints(ctx, 'kickoff', [{ kind: 'validated' }]);
    expect(outcome.status).toBe('failed');
    expect(hints).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Checkpoints were not recorded in the monitor/) })]);
  });
});
