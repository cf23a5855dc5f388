// Resilient Request inside n8n-core's real WorkflowExecute: parameters with their editor defaults,
// expressions, credentials applied by n8n's generic authentication, n8n's own HTTP helpers,
// named outputs, the error output and cancellation — against a real local HTTP server.
import type { IDataObject } from 'n8n-workflow';
import { HandoffBasicAuthApi } from '../../credentials/HandoffBasicAuthApi.credentials';
import { HandoffTokenAuthApi } from '../../credentials/HandoffTokenAuthApi.credentials';
import { ResilientRequest } from '../../nodes/ResilientRequest/ResilientRequest.node';
import { startScriptedServer, type ScriptedServer, type Step } from '../unit/resilient-request-server';
import { connect, runWorkflow, type HarnessNode, type RunOptions } from './harness';

const TYPE = 'n8n-nodes-handoff-guard.resilientRequest';
const NODE = 'Resilient Request';
const TOKEN = 'eng-tok-4d1f0c2b9e7a6358';
const RETRY = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 400, fullJitter: false, totalBudgetSeconds: 10, attemptTimeoutMs: 2_000 };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runNode(steps: Step[], parameters: IDataObject, options: Partial<RunOptions> & { onError?: HarnessNode['onError'] } = {}) {
  server = await startScriptedServer(steps);
  const { onError, ...rest } = options;
  return await runWorkflow(
    {
      nodes: [
        { name: 'Start', type: 'test.emit' },
        { name: NODE, type: TYPE, parameters: { url: `${server.url}/projects`, retry: RETRY, ...parameters }, ...(onError && { onError }) },
      ],
      connections: connect(['Start', NODE]),
    },
    {
      nodeTypes: { [TYPE]: ResilientRequest },
      credentialTypes: [HandoffTokenAuthApi, HandoffBasicAuthApi],
      input: [{ dealId: 'D-42', _handoff: { key: 'deal-D-42', decision: 'new' } }],
      ...rest,
    },
  );
}

describe('Resilient Request in the real engine', () => {
  it("retries a failing target with the Gate's key and the token credential, then succeeds", async () => {
    const result = await runNode(
      [{ status: 503 }, { status: 503 }, { status: 500 }, { status: 201, body: { projectId: 'P-1' } }],
      {
        method: 'POST',
        authentication: 'handoffTokenAuthApi',
      },
      { credentials: { handoffTokenAuthApi: { headerName: 'Authorization', token: `Bearer ${TOKEN}` } } },
    );

    expect(result.status).toBe('success');
    expect(result.jsonOf(NODE, 1)).toEqual([]);
    const [item] = result.outputOf(NODE, 0);
    expect(item.pairedItem).toEqual({ item: 0 });
    expect(item.json).toMatchObject({ dealId: 'D-42', response: { statusCode: 201, body: { projectId: 'P-1' } } });
    // Editor defaults at work: POST, the item as body, the key from `_handoff.key`, Authorization header.
    const received = server!.received;
    expect(received.map((r) => [r.method, r.headers['idempotency-key'], r.headers.authorization])).toEqual(
      Array(4).fill(['POST', 'deal-D-42', `Bearer ${TOKEN}`]),
    );
    expect(JSON.parse(received[0].body)).toMatchObject({ dealId: 'D-42' });

    const arrivals = server!.arrivals();
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    // Waits of 50, 100, 200 ms (plus the attempts' own few ms).
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(100);
    expect(gaps[2]).toBeGreaterThanOrEqual(200);
    const attempts = item.json.attempts as IDataObject[];
    console.log(
      [
        'Observed retry schedule in the engine (503, 503, 500, then 201; base 50 ms, cap 400 ms, no jitter):',
        ...attempts.map(
          (a, i) =>
            `  attempt ${a.attempt}: node started it at +${a.atMs} ms, server saw it at +${arrivals[i]} ms (waited ${a.waitBeforeMs} ms, took ${a.durationMs} ms) → HTTP ${a.status}, ${a.outcome}`,
        ),
      ].join('\n'),
    );
  });

  it('evaluates the key expression per item and sends basic auth', async () => {
    server = await startScriptedServer([{ status: 200 }]);
    const result = await runWorkflow(
      {
        nodes: [
          { name: 'Start', type: 'test.emit' },
          {
            name: NODE,
            type: TYPE,
            parameters: {
              method: 'PUT',
              url: `=${server.url}/deals/{{ $json.dealId }}`,
              keySource: 'expression',
              keyExpression: '={{ $json.dealId }}-kickoff',
              authentication: 'handoffBasicAuthApi',
              retry: RETRY,
            },
          },
        ],
        connections: connect(['Start', NODE]),
      },
      {
        nodeTypes: { [TYPE]: ResilientRequest },
        credentialTypes: [HandoffTokenAuthApi, HandoffBasicAuthApi],
        credentials: { handoffBasicAuthApi: { user: 'ops', password: 'pw-engine-1' } },
        input: [{ dealId: 'A' }, { dealId: 'B' }],
      },
    );
    expect(result.status).toBe('success');
    expect(server.received.map((r) => [r.url, r.headers['idempotency-key'], r.headers.authorization])).toEqual([
      ['/deals/A', 'A-kickoff', `Basic ${Buffer.from('ops:pw-engine-1').toString('base64')}`],
      ['/deals/B', 'B-kickoff', `Basic ${Buffer.from('ops:pw-engine-1').toString('base64')}`],
    ]);
  });

  it('puts a refused request on Failed, shaped for the Exception Router and free of the token', async () => {
    const result = await runNode(
      [{ echo: 422 }],
      { method: 'POST', authentication: 'handoffTokenAuthApi' },
      {
        credentials: { handoffTokenAuthApi: { headerName: 'X-Api-Key', token: TOKEN } },
      },
    );
    expect(result.status).toBe('success');
    expect(result.jsonOf(NODE, 0)).toEqual([]);
    const [failed] = result.outputOf(NODE, 1);
    expect(failed.pairedItem).toEqual({ item: 0 });
    expect(failed.json).toMatchObject({
      dealId: 'D-42',
      kind: 'request_failed',
      idempotencyKey: 'deal-D-42',
      error: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/projects failed after 1 attempt: HTTP 422$/),
      errorDescription: expect.stringMatching(/refused the request itself/),
    });
    expect(server!.received[0].headers['x-api-key']).toBe(TOKEN);
    expect(JSON.stringify(result.runData[NODE])).not.toContain(TOKEN);
    expect(result.runData[NODE][0].hints.map((h) => h.message).join(' ')).toMatch(/Exception Router/);
  });

  it("sends a request that cannot be built to the error output under 'continueErrorOutput'", async () => {
    const result = await runNode(
      [{ status: 200 }],
      { method: 'POST', bodySource: 'json', jsonBody: '{ not json' },
      { onError: 'continueErrorOutput' },
    );
    expect(result.status).toBe('success');
    expect(result.jsonOf(NODE, 0)).toEqual([]);
    expect(result.jsonOf(NODE, 1)).toEqual([]);
    // The engine moved it to the error output and merged the input item back in.
    expect(result.jsonOf(NODE, 2)).toEqual([
      {
        dealId: 'D-42',
        _handoff: { key: 'deal-D-42', decision: 'new' },
        error: 'The JSON Body of item 0 is not valid JSON',
        details: expect.stringMatching(/^Fix "JSON Body"/),
      },
    ]);
    expect(result.outputOf(NODE, 2)[0].pairedItem).toEqual({ item: 0 });
    expect(server!.received).toHaveLength(0);
  });

  it('stops waiting when the execution is cancelled during a Retry-After', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    const result = await runNode(
      [{ status: 429, headers: { 'Retry-After': '30' } }],
      { method: 'GET', retry: { ...RETRY, totalBudgetSeconds: 60 } },
      { signal: controller.signal },
    );
    expect(result.status).toBe('canceled');
    // Sooner than the 30 s Retry-After it was waiting out: only a wait that ignored the cancel lasts that long.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(server!.received).toHaveLength(1);
  });
});
