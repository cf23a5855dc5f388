/**
 * Keep-alive on the monitor's HTTP server. Its clients keep connections open between requests (the
 * nodes through Node's fetch, whose undici pool drops an idle socket after 4 s; the benches; a load
 * balancer in front, 60 s by default). When the server closes an idle socket first (Node's default:
 * after 5 s) a client can send its next request at the very moment the socket goes and gets
 * ECONNRESET. So the server waits longer than any of them (65 s, the usual choice behind a 60 s load
 * balancer): the client is always the one to close an idle connection.
 *
 * A long wait must not hold shutdown hostage: `server.close()` closes the idle sockets, and a
 * response still in flight (or a request that arrives on an open connection meanwhile) is sent with
 * `Connection: close`, so its socket closes when it is done and the client knows not to reuse it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'http';

/** How long an idle kept-alive connection stays open (ms): above undici's 4 s and a load balancer's 60 s. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Node requires headersTimeout above keepAliveTimeout, or a slow first header can cut a reused socket. */
export const HEADERS_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS + 1_000;

export interface KeptAlive {
  /** Stops accepting connections, lets in-flight requests finish (their sockets then close), resolves when all are closed. */
  close(): Promise<void>;
}

export function keepConnectionsAlive(server: Server): KeptAlive {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  // Ahead of the app's own listener: a response it sends at once must already know the server is closing.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.shouldKeepAlive = false;
      return;
    }
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const res of inFlight) {
          // Before its headers: answered with Connection: close, and Node ends the socket after it.
          if (!res.headersSent) res.shouldKeepAlive = false;
          // Already streaming: the socket turns idle when the response ends; close it then.
          else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
        }
        server.closeIdleConnections();
      });
    },
  };
}
