import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, answerClientError } from './client-error.js';

/**
 * How long `close()` waits for the requests in flight by default: as long as
 * a request may take to arrive (a buyer that waits longer than that for its
 * answer is rare, and a stop should not hang on a handler that never ends).
 */
export const CLOSE_GRACE_MS = REQUEST_TIMEOUT_MS;

/** A fetch handler on a real socket, and how to stop it. */
export interface Listening {
  server: Server;
  /** `http://host:port` with the port actually bound (useful with port 0). */
  url: string;
  port: number;
  /** Requests whose answer has not been sent yet. */
  inFlight(): number;
  /**
   * Stops accepting and closes idle connections at once, lets each request
   * in flight finish and send its answer (with `Connection: close`) for up
   * to the grace period, then cuts what is left; resolves when closed, once
   * every connection has emitted 'close' (so each request cut has seen its
   * signal abort: a paywall has given its call back by then).
   */
  close(): Promise<void>;
}

/** Where and how `listen` serves. */
export interface ListenOptions {
  port?: number;
  hostname?: string;
  /** Most ms `close()` waits for requests in flight (default CLOSE_GRACE_MS). */
  graceMs?: number;
}

/**
 * Serves `fetch` (a Hono `app.fetch`) with @hono/node-server on a real
 * socket. Port 0 picks a free port; the promise resolves once listening and
 * rejects if the port cannot be bound. A client's FIN during a request is
 * taken as the client gone (Node's default, `httpAllowHalfOpen` false): the
 * request's signal aborts, which is how a pay-on-success paywall learns that
 * a buyer gave up (over TCP a closed client and one that only half-closed
 * send the same FIN).
 */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  { port = 0, hostname = '127.0.0.1', graceMs = CLOSE_GRACE_MS }: ListenOptions = {},
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }) as Server;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.on('clientError', answerClientError);
    const stopping = stopper(server, graceMs);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({ server, port: addr.port, url: `http://${host}:${addr.port}`, ...stopping });
    });
  });
}

/** Counts `server`'s requests in flight, and closes it once they are answered or `graceMs` has passed. */
function stopper(server: Server, graceMs: number): Pick<Listening, 'inFlight' | 'close'> {
  const inFlight = new Set<ServerResponse>();
  const open = openConnections(server);
  let closing = false;
  let closed: Promise<void> | undefined;
  // Nothing left to answer: connections still open are idle, or carry a request not read yet.
  const settle = () => {
    if (closing && inFlight.size === 0) server.closeAllConnections();
  };
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) lastOnItsConnection(res);
    res.once('close', () => {
      inFlight.delete(res);
      settle();
    });
  });
  const close = () =>
    (closed ??= new Promise<void>((done) => {
      closing = true;
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      // Stops accepting and closes the idle connections (Node 19+); `done` once every connection is gone.
      server.close(() => {
        clearTimeout(cut);
        void open.allClosed().then(done);
      });
      for (const res of inFlight) lastOnItsConnection(res);
      settle();
    }));
  return { inFlight: () => inFlight.size, close };
}

/**
 * `server`'s connections not yet closed. The server says it is closed once none is left open, a
 * step before the last one emits 'close' (when its requests cut see their signals abort):
 * `allClosed` waits for that too.
 */
function openConnections(server: Server): { allClosed(): Promise<void> } {
  const sockets = new Set<Socket>();
  let drained: (() => void) | undefined;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) drained?.();
    });
  });
  return {
    allClosed: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve)),
  };
}

/** The answer's connection closes after it, so no keep-alive client sends another request meanwhile. */
function lastOnItsConnection(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
