// A real HTTP target on 127.0.0.1 that plays a script: each request gets the next step (fail,
// rate-limit, hang, answer), and every request is recorded with its arrival time, so tests can
// read the retry schedule the node actually kept.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Step =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer (until the server closes): the node's per-attempt timeout must fire. */
  | { hang: true }
  /** Answer with the request's own headers and body, as some APIs do in their errors. */
  | { echo: number };

export interface Received {
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedServer {
  url: string;
  received: Received[];
  /** Arrival times relative to the first request, in ms. */
  arrivals(): number[];
  close(): Promise<void>;
}

/** Steps are played in order; the last step repeats for any further request. */
export async function startScriptedServer(steps: Step[]): Promise<ScriptedServer> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        at: Date.now(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(entry);
      const step = steps[Math.min(received.length - 1, steps.length - 1)];
      if ('hang' in step) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const [status, body] =
        'echo' in step ? [step.echo, { youSent: { headers: entry.headers, body: entry.body } }] : [step.status, step.body ?? {}];
      res.writeHead(status, { 'content-type': 'application/json', ...('headers' in step ? step.headers : {}) });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    arrivals: () => received.map((r) => r.at - received[0].at),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: connections are refused at once. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
