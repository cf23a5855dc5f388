/**
 * The nodes' monitor client never follows a redirect with the Handoff Monitor API credential.
 * n8n-core's request helper follows redirects and, by default, repeats the credential's
 * Authorization header to another origin; this runs the Idempotency Gate in n8n-core's real
 * WorkflowExecute against a "monitor" that answers `307 Location: <another origin>`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { IdempotencyGate } from '../../nodes/IdempotencyGate/IdempotencyGate.node';
import { connect, runWorkflow } from '../engine/harness';

const GATE = 'n8n-nodes-handoff-guard.idempotencyGate';
const TOKEN = 'monitor-token-RedirectSecret-0123456789';

interface Recorder {
  url: string;
  requests: { url?: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function listen(answer: (url: string) => { status: number; location?: string; body?: string }): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    req.resume();
    const { status, location, body } = answer(req.url ?? '/');
    res.writeHead(status, { 'Content-Type': 'application/json', ...(location ? { Location: location } : {}) }).end(body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let elsewhere: Recorder;
afterEach(() => elsewhere?.close());

const claim = (url: string) =>
  runWorkflow(
    {
      nodes: [
        { name: 'Start', type: 'test.emit' },
        { name: 'Gate', type: GATE, parameters: { handoff: 'kickoff', operation: 'claim' } },
      ],
      connections: connect(['Start', 'Gate']),
    },
    {
      nodeTypes: { [GATE]: IdempotencyGate },
      credentialTypes: [HandoffMonitorApi],
      credentials: { handoffMonitorApi: { url, token: TOKEN } },
      input: [{ dealId: 'deal-1' }],
    },
  );

describe("the nodes' monitor client and redirects", () => {
  it.each([301, 302, 307, 308])(
    'a %s to another origin fails the node, naming the URL and the credential; the token is not sent there',
    async (status) => {
      elsewhere = await listen(() => ({
        status: 200,
        body: JSON.stringify({ results: [{ key: 'deal-1', decision: 'new', attempt: 1, state: 'claimed' }] }),
      }));
      const monitor = await listen((path) => ({ status, location: `${elsewhere.url}${path}` }));
      try {
        const result = await claim(monitor.url);
        expect(result.status).toBe('error');
        expect(result.error?.message).toContain(`redirect (HTTP ${status}) to ${elsewhere.url}/api/v1/claims`);
        expect(result.error?.message).toContain('Handoff Monitor API credential');
        expect(monitor.requests).toHaveLength(1); // a redirect is an answer, not a blip: no retry
        expect(monitor.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await monitor.close();
      }
    },
  );

  it('does not follow a redirect on the same origin either, and suggests the address it pointed at', async () => {
    elsewhere = await listen((path) => ({ status: 308, location: `/monitor${path}` }));
    const result = await claim(elsewhere.url);
    expect(result.status).toBe('error');
    expect(result.error?.message).toContain(`to ${elsewhere.url}/monitor/api/v1/claims`);
    expect(result.error?.message).toContain(`${elsewhere.url}/monitor`);
    expect(elsewhere.requests).toHaveLength(1);
  });
});
