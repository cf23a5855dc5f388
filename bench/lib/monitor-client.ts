/**
 * A lean HTTP client for the load benches: node's http with keep-alive sockets (fetch costs the client
 * several times more CPU per request, and client and monitor share the machine), JSON in and out.
 * Each call resolves with the status, the parsed body and how long the round trip took.
 *
 * A request on a reused keep-alive socket that the server closed at that very moment (its idle timeout)
 * fails with ECONNRESET before the server saw it; that one case is sent again on a fresh socket, as
 * node's documentation advises (req.reusedSocket). Any other failure is the caller's error.
 */
import http from 'http';

export interface MonitorReply<T = unknown> {
  status: number;
  body: T;
  ms: number;
}

export function monitorClient(baseUrl: string, token: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const auth = `Bearer ${token}`;
  let resent = 0;
  return {
    post<T>(path: string, payload: unknown): Promise<MonitorReply<T>> {
      const body = JSON.stringify(payload);
      const t0 = performance.now();
      const send = (retried: boolean): Promise<MonitorReply<T>> =>
        new Promise((resolve, reject) => {
          const req = http.request(
            {
              agent,
              host: url.hostname,
              port: url.port,
              method: 'POST',
              path: `/api/v1${path}`,
              headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let parsed: unknown = text;
                try {
                  parsed = JSON.parse(text);
                } catch {
                  // kept as text: the caller reports it as an error
                }
                resolve({ status: res.statusCode ?? 0, body: parsed as T, ms: performance.now() - t0 });
              });
              res.on('error', reject);
            },
          );
          req.on('error', (err: NodeJS.ErrnoException) => {
            if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
              resent++;
              resolve(send(true));
            } else reject(err);
          });
          req.end(body);
        });
      return send(false);
    },
    /** Requests sent again after the keep-alive race above (reported beside the figures). */
    resent: () => resent,
    close() {
      agent.destroy();
    },
  };
}

export type MonitorClient = ReturnType<typeof monitorClient>;
