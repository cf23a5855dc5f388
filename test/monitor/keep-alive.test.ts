/**
 * The keep-alive race: a client that keeps its connection (the nodes' fetch, the benches, a load
 * balancer) must never meet a socket the monitor closes as the client reuses it. The monitor keeps
 * an idle connection longer than Node's default 5 s (65 s), so the client is the one that closes it;
 * shutdown still closes idle connections at once (test/unit/keep-alive.test.ts).
 */
import { Agent, get, type IncomingMessage } from 'http';
import type { Socket } from 'net';
import { startTestMonitor, type TestMonitor } from '../support/monitor';
import { holdsFor } from '../support/wait';

/** One GET on the agent's single connection: the answer, and the socket it went over. */
function getOn(agent: Agent, url: string): Promise<{ res: IncomingMessage; body: string; socket: Socket; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ res, body, socket: req.socket as Socket, reused: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

describe('keep-alive connections to the monitor', () => {
  let m: TestMonitor;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  beforeAll(async () => {
    m = await startTestMonitor();
  });
  afterAll(async () => {
    agent.destroy();
    await m?.close();
  });

  it('stay open past Node’s default 5 s idle and serve the next request on the same socket', async () => {
    const first = await getOn(agent, `${m.url}/healthz`);
    expect(first.res.statusCode).toBe(200);
    expect(first.res.headers['keep-alive']).toBe('timeout=65');
    const socket = first.socket;
    let closedAt: number | undefined;
    socket.once('close', () => (closedAt = Date.now()));

    // Idle for longer than Node's default keepAliveTimeout (5 s): the server must not close it.
    await holdsFor('the idle kept-alive socket to stay open', () => closedAt === undefined && !socket.destroyed, 6_000, 100);

    const second = await getOn(agent, `${m.url}/healthz`);
    expect(second.res.statusCode).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ status: 'ok' });
    expect(second.reused).toBe(true);
    expect(second.socket).toBe(socket);
  }, 20_000);
});
