import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, answerClientError } from './client-error.js';

/** A fetch handler on a real socket, and how to stop it. */
export interface Listening {
  server: Server;
  /** `http://host:port` with the port actually bound (useful with port 0). */
  url: string;
  port: number;
  /** Stops accepting, drops idle and active keep-alive connections, resolves when closed. */
  close(): Promise<void>;
}

/**
 * Serves `fetch` (a Hono `app.fetch`) with @hono/node-server on a real
 * socket. Port 0 picks a free port; the promise resolves once listening and
 * rejects if the port cannot be bound.
 */
export function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  { port = 0, hostname = '127.0.0.1' }: { port?: number; hostname?: string } = {},
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }) as Server;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.on('clientError', answerClientError);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        port: addr.port,
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
