/**
 * How the nodes reach the monitor (nodes/shared/monitor-client.ts), in n8n-core's real
 * WorkflowExecute against a small recording "monitor": each call loads the Handoff Monitor API
 * credential once (n8n reads and decrypts it from its database on every load) and sends its token as
 * a bearer header; calls reuse one kept-alive connection, within an execution and across executions,
 * instead of opening one per request as n8n's request helper does; and n8n's egress rules still decide
 * whether the monitor's URL may be reached at all.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IExecuteFunctions, NodeEgressFilter } from 'n8n-workflow';
import { HandoffMonitorApi } from '../../credentials/HandoffMonitorApi.credentials';
import { IdempotencyGate } from '../../nodes/IdempotencyGate/IdempotencyGate.node';
import { callMonitor, MonitorRejectedError } from '../../nodes/shared/monitor-client';
import { connect, runWorkflow } from '../engine/harness';
import { HarnessCredentialsHelper } from '../engine/harness/credentials-helper';

const GATE = 'n8n-nodes-handoff-guard.idempotencyGate';
const TOKEN = 'monitor-token-OnceOnly-0123456789';

let server: Server;
let url: string;
let connections = 0;
const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];

/** A "monitor" that answers claims and completions, recording every request and connection. */
async function fakeMonitor(): Promise<{ server: Server; url: string }> {
  const s = createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    req.resume();
    req.on('end', () => {
      const body =
        req.url === '/api/v1/claims'
          ? { results: [{ key: 'deal-1', decision: 'new', attempt: 1, state: 'claimed' }] }
          : { results: [{ key: 'deal-1', outcome: 'completed' }] };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}
const close = (s: Server) =>
  new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });

beforeAll(async () => {
  ({ server, url } = await fakeMonitor());
});
afterAll(() => close(server));
afterEach(() => jest.restoreAllMocks());

const claimThenComplete = (monitorUrl = url) =>
  runWorkflow(
    {
      nodes: [
        { name: 'Start', type: 'test.emit' },
        { name: 'Claim', type: GATE, parameters: { handoff: 'kickoff', operation: 'claim' } },
        { name: 'Complete', type: GATE, parameters: { handoff: 'kickoff', operation: 'complete', keyField: '_handoff.key' } },
      ],
      connections: connect(['Start', 'Claim'], ['Claim', 'Complete']),
    },
    {
      nodeTypes: { [GATE]: IdempotencyGate },
      credentialTypes: [HandoffMonitorApi],
      credentials: { handoffMonitorApi: { url: monitorUrl, token: TOKEN } },
      input: [{ dealId: 'deal-1' }],
    },
  );

it('a claim and a completion each load the credential once and send its token', async () => {
  const loads = jest.spyOn(HarnessCredentialsHelper.prototype, 'getDecrypted');
  seen.length = 0;
  const result = await claimThenComplete();
  expect(result.status).toBe('success');
  expect(seen.map((r) => r.url)).toEqual(['/api/v1/claims', '/api/v1/claims/complete']);
  expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  expect(loads.mock.calls.filter(([, , type]) => type === 'handoffMonitorApi')).toHaveLength(2);
});

it('three executions of claim and complete share one connection to the monitor', async () => {
  await claimThenComplete(); // opens the connection if the test before did not leave one open
  const before = connections;
  seen.length = 0;
  for (let run = 0; run < 3; run++) expect((await claimThenComplete()).status).toBe('success');
  expect(seen).toHaveLength(6);
  expect(connections - before).toBe(0);
});

it('a connection the monitor closed while idle is not reused: the next execution goes through', async () => {
  const idle = await fakeMonitor();
  // The monitor closes idle connections after 5 s (server.ts); here after 100 ms, to see it happen.
  idle.server.keepAliveTimeout = 100;
  try {
    expect((await claimThenComplete(idle.url)).status).toBe('success');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const before = connections;
    seen.length = 0;
    expect((await claimThenComplete(idle.url)).status).toBe('success');
    // Each request reached the monitor once (no failed attempt on the closed connection, no retry).
    expect(seen.map((r) => r.url)).toEqual(['/api/v1/claims', '/api/v1/claims/complete']);
    expect(connections - before).toBeGreaterThanOrEqual(1);
  } finally {
    await close(idle.server);
  }
});

it("n8n's egress rules can refuse the monitor's URL: nothing is sent, and the message names the monitor", async () => {
  const refused: NodeEgressFilter = {
    validateUrl: async () => ({ ok: false, error: new Error('127.0.0.1 is in a blocked range') }),
    validateConnectionHost: () => ({ ok: true, result: undefined }),
    createSecureLookup: () => undefined as never,
    validateRedirectSync: () => undefined,
  };
  const ctx = {
    getNode: () => ({ name: 'Gate', credentials: { handoffMonitorApi: { id: '1', name: 'm' } } }),
    getCredentials: async () => ({ url, token: TOKEN }),
    getExecutionCancelSignal: () => undefined,
    helpers: { getSecureEgressFilter: () => refused },
  } as unknown as IExecuteFunctions;
  seen.length = 0;
  const call = callMonitor(ctx, { method: 'POST', path: '/api/v1/claims', body: { handoff: 'kickoff', items: [{ key: 'deal-1' }] } });
  await expect(call).rejects.toThrow(MonitorRejectedError);
  await expect(call).rejects.toThrow(
    `n8n's egress rules do not allow requests to the Handoff Guard monitor at ${url}: 127.0.0.1 is in a blocked range`,
  );
  expect(seen).toEqual([]);
});
