/**
 * deliverReplay against real local HTTP servers: what arrives (body, query, the replay header and
 * nothing of the original request's headers), and how a 500, a 404, a refused connection, a silent
 * server and a redirect to another origin come back as results. Then the whole read path on the
 * fake n8n: the real client → loadReplayInput → deliverReplay.
 */
import { readFileSync } from 'fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';
import { createN8nClient } from '../../monitor/src/collector/n8n-client';
import { deliverReplay, REPLAY_HEADER, replayUrl } from '../../monitor/src/replay/deliver';
import { loadReplayInput } from '../../monitor/src/replay/load';
import type { ReplayInput } from '../../monitor/src/replay/source';
import { startFakeN8n, type FakeN8n } from '../support/fake-n8n';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Target {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A local server that records every request and answers with `answer`. */
async function target(
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Workflow was started"}'),
): Promise<Target> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const DEAL = { dealId: 'D-1042', client: 'Acme', amount: 12000 };
const input = (over: Partial<ReplayInput> = {}): ReplayInput => ({
  workflowId: 'wf-kickoff',
  workflowName: 'Sales → delivery kickoff',
  executionId: '123',
  nodeName: 'CRM deal closed-won',
  method: 'POST',
  path: 'handoff-kickoff',
  body: DEAL,
  query: { source: 'crm', retry: '1' },
  contentType: 'application/json',
  ...over,
});

/** Headers fetch itself adds; anything else arriving would have come from the replay. */
const TRANSPORT_HEADERS = ['host', 'connection', 'content-length', 'accept-encoding', 'accept-language', 'user-agent', 'sec-fetch-mode'];

const open: Target[] = [];
const serve = async (...args: Parameters<typeof target>) => {
  const t = await target(...args);
  open.push(t);
  return t;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('deliverReplay', () => {
  it('POSTs the body as JSON with the query and the replay header, and nothing else', async () => {
    const n8n = await serve();
    const result = await deliverReplay({ baseUrl: n8n.url, input: input(), replayOf: '123' });
    expect(result).toEqual({
      status: 200,
      ok: true,
      message: expect.stringMatching(
        /n8n accepted the replay \(POST http:\/\/127\.0\.0\.1:\d+\/webhook\/handoff-kickoff → HTTP 200: Workflow was started\)/,
      ),
    });
    expect(n8n.received).toHaveLength(1);
    const [got] = n8n.received;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/webhook/handoff-kickoff?source=crm&retry=1');
    expect(JSON.parse(got.body)).toEqual(DEAL);
    expect(got.headers[REPLAY_HEADER]).toBe('123');
    expect(got.headers['content-type']).toBe('application/json');
    const sent = Object.keys(got.headers).filter((h) => !TRANSPORT_HEADERS.includes(h));
    expect(sent.sort()).toEqual(['accept', 'content-type', REPLAY_HEADER].sort());
    for (const h of ['authorization', 'cookie', 'x-crm-signature']) expect(got.headers[h]).toBeUndefined();
  });

  it('GET carries no body; nested and repeated query values are encoded as n8n reads them back', async () => {
    const n8n = await serve();
    const result = await deliverReplay({
      baseUrl: `${n8n.url}/`,
      input: input({ method: 'GET', body: undefined, contentType: undefined, query: { tag: ['a', 'b'], deal: { id: '7' } } }),
      replayOf: '9',
    });
    expect(result.ok).toBe(true);
    const [got] = n8n.received;
    expect(got.method).toBe('GET');
    expect(got.body).toBe('');
    expect(got.headers['content-type']).toBeUndefined();
    expect(decodeURIComponent(got.url)).toBe('/webhook/handoff-kickoff?tag=a&tag=b&deal[id]=7');
  });

  it('a text body goes as text with its content type; a base URL with a path keeps it', async () => {
    const n8n = await serve();
    await deliverReplay({
      baseUrl: `${n8n.url}/n8n`,
      input: input({ body: 'deal D-1042 closed', contentType: 'text/plain', query: {} }),
      replayOf: '5',
    });
    expect(n8n.received[0]).toMatchObject({ url: '/n8n/webhook/handoff-kickoff', body: 'deal D-1042 closed' });
    expect(n8n.received[0].headers['content-type']).toBe('text/plain');
  });

  it("a 500 from n8n is a result with n8n's message, not a throw", async () => {
    const n8n = await serve((_q, res) =>
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":0,"message":"Error in workflow"}'),
    );
    const result = await deliverReplay({ baseUrl: n8n.url, input: input(), replayOf: '123' });
    expect(result).toEqual({ status: 500, ok: false, message: expect.stringMatching(/HTTP 500: Error in workflow/) });
  });

  it('a 404 says the webhook is not registered and what to check', async () => {
    const n8n = await serve((_q, res) =>
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"code":404,"message":"The requested webhook \\"POST handoff-kickoff\\" is not registered."}'),
    );
    const result = await deliverReplay({ baseUrl: n8n.url, input: input(), replayOf: '123' });
    expect(result.status).toBe(404);
    expect(result.message).toMatch(
      /no production webhook POST .*\/webhook\/handoff-kickoff .*is not registered.*is the workflow published/,
    );
  });

  it('a refused connection is a result naming n8n and the cause', async () => {
    const gone = await target();
    await gone.close();
    const result = await deliverReplay({ baseUrl: gone.url, input: input(), replayOf: '123' });
    expect(result).toEqual({
      status: null,
      ok: false,
      message: expect.stringMatching(
        /could not reach n8n for POST http:\/\/127\.0\.0\.1:\d+\/webhook\/handoff-kickoff: ECONNREFUSED; check N8N_BASE_URL/,
      ),
    });
  });

  it('a server that never answers is a timeout result', async () => {
    const n8n = await serve(() => undefined);
    const result = await deliverReplay({ baseUrl: n8n.url, input: input(), replayOf: '123', timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(result.message).toMatch(/^n8n did not answer POST .*\/webhook\/handoff-kickoff within 300ms; the run may still have started/);
  });

  it('a redirect to another origin is reported, not followed: the other host receives nothing', async () => {
    const elsewhere = await serve();
    const n8n = await serve((_q, res) => res.writeHead(307, { location: `${elsewhere.url}/collect` }).end());
    const result = await deliverReplay({ baseUrl: n8n.url, input: input(), replayOf: '123' });
    expect(result.status).toBe(307);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`redirect (HTTP 307) to ${elsewhere.url}; not followed`);
    expect(n8n.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('refuses to build a URL that leaves <base>/webhook/', () => {
    expect(() => replayUrl('http://n8n.local:5678', { path: '../rest/login', query: {} })).toThrow(/leaves/);
    expect(replayUrl('http://n8n.local:5678', { path: 'a b', query: {} }).pathname).toBe('/webhook/a%20b');
  });
});

describe('replay read path on the fake n8n: client → loadReplayInput → deliverReplay', () => {
  const kickoff = JSON.parse(readFileSync(join(__dirname, '..', '..', 'workflows-templates', 'sales-to-delivery-kickoff.json'), 'utf8'));
  const errorWf = JSON.parse(readFileSync(join(__dirname, '..', '..', 'workflows-templates', 'error-workflow.json'), 'utf8'));
  const webhookName: string = kickoff.nodes[0].name;
  let fake: FakeN8n;

  beforeEach(async () => {
    fake = await startFakeN8n();
    fake.putWorkflow({
      id: 'wf-kickoff',
      name: kickoff.name,
      active: true,
      nodes: kickoff.nodes,
      connections: kickoff.connections,
      settings: kickoff.settings,
    });
    fake.putWorkflow({
      id: errorWf.id,
      name: errorWf.name,
      active: false,
      nodes: errorWf.nodes,
      connections: errorWf.connections,
      settings: errorWf.settings,
    });
  });
  afterEach(() => fake.close());

  const failedRun = () =>
    fake.add({
      workflowId: 'wf-kickoff',
      status: 'error',
      mode: 'webhook',
      workflowData: {
        id: 'wf-kickoff',
        name: kickoff.name,
        nodes: kickoff.nodes,
        connections: kickoff.connections,
        settings: kickoff.settings,
      },
      data: {
        runData: {
          [webhookName]: [
            {
              startTime: 1,
              executionTime: 1,
              executionStatus: 'success',
              source: [],
              data: {
                main: [
                  [
                    {
                      json: {
                        headers: { authorization: 'Bearer crm-secret', 'content-type': 'application/json' },
                        params: {},
                        query: { via: 'crm' },
                        body: DEAL,
                        webhookUrl: 'http://x/webhook/handoff-kickoff',
                        executionMode: 'production',
                      },
                    },
                  ],
                ],
              },
            },
          ],
        },
        lastNodeExecuted: 'Create project',
      },
    });

  it('re-delivers the trigger input of a failed kickoff run, reached through its error-workflow run', async () => {
    const failed = failedRun();
    const errorRun = fake.add({
      workflowId: errorWf.id,
      status: 'success',
      mode: 'error',
      workflowData: errorWf,
      data: {
        runData: {
          'Kickoff failed': [
            {
              startTime: 2,
              source: [],
              data: {
                main: [
                  [
                    {
                      json: {
                        execution: { id: failed.id, error: { message: 'HTTP 503' } },
                        workflow: { id: 'wf-kickoff', name: kickoff.name },
                      },
                    },
                  ],
                ],
              },
            },
          ],
        },
      },
    });
    const client = createN8nClient({ baseUrl: fake.url, apiKey: fake.apiKey });
    const loaded = await loadReplayInput(client, errorRun.id);
    if (!loaded.ok) throw new Error(loaded.problem);
    expect(loaded.input).toMatchObject({
      executionId: failed.id,
      method: 'POST',
      path: 'handoff-kickoff',
      body: DEAL,
      query: { via: 'crm' },
    });
    expect(fake.requests).toEqual([
      `/api/v1/executions/${errorRun.id}?includeData=true`,
      `/api/v1/workflows/${errorWf.id}`,
      `/api/v1/executions/${failed.id}?includeData=true`,
      '/api/v1/workflows/wf-kickoff',
    ]);

    const webhook = await serve();
    const result = await deliverReplay({ baseUrl: webhook.url, input: loaded.input, replayOf: failed.id });
    expect(result.ok).toBe(true);
    expect(webhook.received[0]).toMatchObject({ method: 'POST', url: '/webhook/handoff-kickoff?via=crm' });
    expect(JSON.parse(webhook.received[0].body)).toEqual(DEAL);
    expect(webhook.received[0].headers.authorization).toBeUndefined();
  });

  it('refuses, with a result rather than a throw, once n8n has pruned the run or the workflow is gone or unpublished', async () => {
    const client = createN8nClient({ baseUrl: fake.url, apiKey: fake.apiKey });
    const pruned = failedRun();
    fake.remove(pruned.id);
    await expect(loadReplayInput(client, pruned.id)).resolves.toMatchObject({
      ok: false,
      code: 'execution_not_found',
      problem: `n8n no longer has execution ${pruned.id} (pruned or deleted)`,
    });

    const run = failedRun();
    fake.putWorkflow({ id: 'wf-kickoff', name: kickoff.name, active: false, nodes: kickoff.nodes });
    await expect(loadReplayInput(client, run.id)).resolves.toMatchObject({ ok: false, code: 'workflow_inactive' });
    fake.removeWorkflow('wf-kickoff');
    await expect(loadReplayInput(client, run.id)).resolves.toMatchObject({ ok: false, code: 'workflow_not_found' });
  });

  it('n8n being down is a thrown N8nApiError, not a refusal', async () => {
    const client = createN8nClient({ baseUrl: fake.url, apiKey: fake.apiKey });
    const run = failedRun();
    fake.outage('down');
    await expect(loadReplayInput(client, run.id)).rejects.toThrow(/HTTP 503/);
  });
});
