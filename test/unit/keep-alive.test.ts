/**
 * util/keep-alive.ts: idle connections are kept 65 s (headersTimeout above it, as Node requires), yet
 * a shutdown never waits for them: idle sockets close at once, a response still in flight is sent
 * with Connection: close and its socket closes when it is done, a streaming one closes once it ends.
 */
import { Agent, createServer, get, type IncomingMessage, type Server } from 'http';
import { connect, type AddressInfo, type Socket } from 'net';
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, keepConnectionsAlive, type KeptAlive } from '../../monitor/src/util/keep-alive';
import { waitFor } from '../support/wait';

interface Answer {
  res: IncomingMessage;
  body: string;
  socket: Socket;
}

function getOn(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ res, body, socket: req.socket as Socket }));
    });
    req.on('error', reject);
  });
}

/** A server whose /slow and /stream answers wait for the test's word. */
function slowServer() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const started: string[] = [];
  const server = createServer((req, res) => {
    started.push(req.url ?? '');
    if (req.url === '/slow') return void released.then(() => res.end('slow'));
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      return void released.then(() => res.end('last'));
    }
    res.end('quick');
  });
  return { server, release, started };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

const closed = (socket: Socket) => socket.destroyed || new Promise<true>((resolve) => socket.once('close', () => resolve(true)));

describe('keepConnectionsAlive', () => {
  const agents: Agent[] = [];
  const agent = () => {
    const a = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(a);
    return a;
  };
  let kept: KeptAlive | undefined;
  afterEach(async () => {
    for (const a of agents.splice(0)) a.destroy();
    await kept?.close();
    kept = undefined;
  });

  it('keeps idle connections 65 s, with the headers timeout above that', () => {
    const server = createServer();
    keepConnectionsAlive(server);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBe(65_000);
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });

  it('on close: idle sockets close at once, an in-flight answer goes out with Connection: close, then everything is closed', async () => {
    const { server, release, started } = slowServer();
    kept = keepConnectionsAlive(server);
    const url = await listen(server);

    const idle = await getOn(agent(), `${url}/quick`);
    expect(idle.res.headers.connection).toBe('keep-alive');
    const slow = getOn(agent(), `${url}/slow`);
    await waitFor('the slow request to reach the server', () => started.includes('/slow'));

    let done = false;
    const closing = kept.close().then(() => (done = true));
    await closed(idle.socket);
    expect(done).toBe(false); // the slow request is still being answered

    release();
    const answer = await slow;
    expect(answer.body).toBe('slow');
    expect(answer.res.headers.connection).toBe('close');
    await closed(answer.socket);
    await closing;
    expect(server.listening).toBe(false);
  });

  it('on close: a request that arrives meanwhile on an open connection is answered with Connection: close', async () => {
    const { server } = slowServer();
    kept = keepConnectionsAlive(server);
    const url = await listen(server);
    const serverSockets: Socket[] = [];
    server.on('connection', (s: Socket) => serverSockets.push(s));

    // Half a request before the close (the connection is busy, not idle), the rest after it.
    const client = connect(Number(new URL(url).port), '127.0.0.1');
    let raw = '';
    client.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    client.write('GET /quick HTTP/1.1\r\nHost: monitor\r\n');
    await waitFor('the server to read the first half', () => serverSockets[0]?.bytesRead > 0);
    const closing = kept.close();
    client.write('\r\n');

    await closed(client);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/\r\nConnection: close\r\n/i);
    expect(raw.endsWith('quick')).toBe(true);
    await closing;
  });

  it('on close: a response already streaming closes its socket once it ends', async () => {
    const { server, release, started } = slowServer();
    kept = keepConnectionsAlive(server);
    const url = await listen(server);

    const stream = getOn(agent(), `${url}/stream`);
    await waitFor('the stream to start', () => started.includes('/stream'));
    const closing = kept.close();
    release();
    const answer = await stream;
    expect(answer.body).toBe('first last');
    // Its headers said keep-alive before the close began; the socket is closed for it all the same.
    expect(answer.res.headers.connection).toBe('keep-alive');
    await closed(answer.socket);
    await closing;
  });
});
