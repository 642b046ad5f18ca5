import { Hono } from 'hono';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import { readJsonBody } from '../http/json-body.js';
import { refuseOtherMethods } from '../http/method-not-allowed.js';
import { readQuery } from '../http/query.js';
import type { Registry } from './registry.js';
import {
  listingIdSchema,
  querySchema,
  ratingSchema,
  signedListingSchema,
  signedRemovalSchema,
} from './schema.js';
import type { RegistryErrorCode, RegistryFailure } from './types.js';

/** The one mapping from refusal codes to HTTP statuses. */
export const STATUS_OF: Record<RegistryErrorCode, 400 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 429 | 503> =
  {
    bad_json: 400,
    body_aborted: 400,
    invalid_body: 400,
    invalid_id: 400,
    invalid_query: 400,
    bad_signature: 400,
    bad_invoice: 400,
    wrong_payee: 400,
    wrong_preimage: 400,
    hash_mismatch: 400,
    self_rating: 400,
    wrong_network: 400,
    zero_amount: 400,
    stale_invoice: 400,
    body_too_large: 413,
    unsupported_media_type: 415,
    pubkey_mismatch: 403,
    wrong_registry: 403,
    url_mismatch: 409,
    too_many_listings: 409,
    forbidden_address: 400,
    unresolvable_host: 400,
    resolve_unavailable: 503,
    not_found: 404,
    method_not_allowed: 405,
    body_timeout: 408,
    already_listed: 409,
    already_rated: 409,
    rating_disputed: 409,
    too_many_ratings: 429,
    stale_signature: 409,
  };

/** Default body limit of the registry's write routes. */
export const REGISTRY_BODY_LIMIT = 16 * 1024;

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Options of the registry's HTTP API. */
export interface RegistryAppOptions {
  /** Largest accepted request body (default 16 KiB: a listing or rating is well under 10 KiB). */
  bodyLimit?: number;
  /** Time to receive a whole request body (default 10 s); a slower body is a 408 `body_timeout`. */
  bodyTimeoutMs?: number;
  logger?: Logger;
}

/** Each route's path and the methods it answers (HEAD comes with GET); any other method is a 405. */
const ROUTE_METHODS: [path: string, allow: string][] = [
  ['/health', 'GET, HEAD'],
  ['/listings', 'GET, HEAD, POST'],
  ['/listings/:id', 'GET, HEAD, PUT, DELETE'],
  ['/listings/:id/ratings', 'POST'],
];

function refuse(c: Context, f: RegistryFailure | { code: RegistryErrorCode; message: string }): Response {
  // The rest of a body too slow to wait for would be read as the next request: close the connection.
  const close = f.code === 'body_timeout' ? { Connection: 'close' } : undefined;
  // A 503 changed nothing: the same request may be sent again after a second.
  const retry = STATUS_OF[f.code] === 503 ? { 'Retry-After': '1' } : undefined;
  return c.json({ error: f.code, message: f.message }, STATUS_OF[f.code], close ?? retry);
}

/** The `:id` path parameter when it is a listing id, else the refusal naming it. */
function listingIdOf(c: Context): string | Response {
  const id = c.req.param('id') ?? '';
  return listingIdSchema.safeParse(id).success
    ? id
    : refuse(c, {
        code: 'invalid_id',
        message: `listing id must be 32 lowercase hex chars, got ${JSON.stringify(id.slice(0, 64))}`,
      });
}

/** Runs a write; a store that fails to persist is the registry's fault, reported as 503. */
async function storeWrite<T>(logger: Logger, c: Context, op: () => Promise<T>): Promise<T | Response> {
  try {
    return await op();
  } catch (err) {
    logger.error({ err }, 'registry store failed');
    return c.json(
      { error: 'store_unavailable', message: 'the registry could not save the change; retry' },
      503,
      { 'Retry-After': '1' },
    );
  }
}

/**
 * The registry over HTTP (see docs/services.md, "Registry", for the routes). Every bad
 * input is a 4xx with `{ error: <code>, message }`; a store failure is a 503;
 * nothing answers 500 unless the code has a bug.
 */
export function createRegistryApp(
  registry: Registry,
  { bodyLimit = REGISTRY_BODY_LIMIT, bodyTimeoutMs, logger = silentLogger }: RegistryAppOptions = {},
): Hono {
  const app = new Hono();

  const write = <T>(c: Context, op: () => Promise<T>) => storeWrite(logger, c, op);
  const limits = { limit: bodyLimit, ...(bodyTimeoutMs !== undefined ? { timeoutMs: bodyTimeoutMs } : {}) };
  const bodyOf = async <S extends z.ZodType>(c: Context, schema: S) => {
    const body = await readJsonBody(c, schema, limits);
    // A client that hung up mid-body is its own business: noted, not an error of the registry.
    if (!body.ok && body.code === 'body_aborted') logger.debug({ path: c.req.path }, 'request body aborted');
    return body;
  };

  app.get('/health', (c) => c.json({ ok: true, listings: registry.size }));

  app.get('/listings', (c) => {
    const q = readQuery(c, querySchema);
    if (!q.ok) return refuse(c, { code: 'invalid_query', message: q.message });
    // The body c.json({ listings }) would write, from the registry's JSON rather than from copies of its listings.
    return c.body(`{"listings":${registry.searchJson(q.value)}}`, 200, JSON_TYPE);
  });

  app.get('/listings/:id', (c) => {
    const id = listingIdOf(c);
    if (typeof id !== 'string') return id;
    const l = registry.get(id);
    return l ? c.json({ listing: l }) : refuse(c, { code: 'not_found', message: `no listing ${id}` });
  });

  app.post('/listings', async (c) => {
    const body = await bodyOf(c, signedListingSchema);
    if (!body.ok) return refuse(c, body);
    const r = await write(c, () => registry.register(body.value));
    if (r instanceof Response) return r;
    return r.ok ? c.json({ listing: r.listing }, 201) : refuse(c, r);
  });

  app.put('/listings/:id', async (c) => {
    const id = listingIdOf(c);
    if (typeof id !== 'string') return id;
    const body = await bodyOf(c, signedListingSchema);
    if (!body.ok) return refuse(c, body);
    const r = await write(c, () => registry.update(id, body.value));
    if (r instanceof Response) return r;
    return r.ok ? c.json({ listing: r.listing }) : refuse(c, r);
  });

  app.delete('/listings/:id', async (c) => {
    const id = listingIdOf(c);
    if (typeof id !== 'string') return id;
    const body = await bodyOf(c, signedRemovalSchema);
    if (!body.ok) return refuse(c, body);
    const r = await write(c, () => registry.remove(id, body.value));
    if (r instanceof Response) return r;
    return r.ok ? c.json({ listing: r.listing }) : refuse(c, r);
  });

  app.post('/listings/:id/ratings', async (c) => {
    const id = listingIdOf(c);
    if (typeof id !== 'string') return id;
    const body = await bodyOf(c, ratingSchema);
    if (!body.ok) return refuse(c, body);
    const r = await write(c, () => registry.rate(id, body.value));
    if (r instanceof Response) return r;
    return r.ok ? c.json({ listingId: id, paymentHash: r.paymentHash, rating: r.rating }, 201) : refuse(c, r);
  });

  refuseOtherMethods(app, ROUTE_METHODS);
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    logger.error({ err, path: c.req.path }, 'registry handler failed');
    return c.json({ error: 'internal', message: 'unexpected registry error' }, 500);
  });
  return app;
}
