/**
 * A plain backend with no paywall of its own, on a real socket: what sits
 * behind Aperture (and behind our paywall as a reverse proxy in the
 * benchmark), so both front the same service.
 */
import { Hono } from 'hono';
import { listen, type Listening } from '../../../services/http/listen.js';

/** The backend and what reached it. */
export interface Backend {
  http: Listening;
  /** `host:port` (Aperture's `address`). */
  address: string;
  /** Requests that reached the backend, by path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the backend: `GET /v1/fortune` answers JSON with the request count
 * and the authorization scheme it was forwarded with (a proxy in front
 * decides who gets through; the backend only counts).
 */
export async function startBackend(): Promise<Backend> {
  const hits = new Map<string, number>();
  const app = new Hono();
  app.get('/v1/fortune', (c) => {
    const n = (hits.get(c.req.path) ?? 0) + 1;
    hits.set(c.req.path, n);
    const scheme = /^(\S+)\s/.exec(c.req.header('authorization') ?? '')?.[1] ?? null;
    return c.json({ fortune: 'the hub always takes its fee', n, scheme });
  });
  app.notFound((c) => c.json({ error: 'not_found', path: c.req.path }, 404));
  const http = await listen(app.fetch);
  return { http, address: `127.0.0.1:${http.port}`, hits, close: () => http.close() };
}
