import { NO_REDIRECTS } from '../../infra/http/redirect.js';
import { requestPath } from '../../infra/l402/index.js';

/**
 * A request buffered once so it can be sent again: the unauthenticated probe,
 * then the retry with credentials. A stream body can be read only once, so
 * it is read into memory before the first send.
 */
export interface PreparedRequest {
  url: URL;
  /** `scheme://host[:port]`. */
  origin: string;
  /**
   * The path as the seller's verifier reads it (`requestPath`: escapes
   * decoded but `%25` and reserved ones, no query): what a path-prefix
   * caveat and a held token's scope are matched against.
   */
  path: string;
  method: string;
  headers: Headers;
  body?: ArrayBuffer;
  signal?: AbortSignal;
  /** The caller's label for the purchase this request serves (a buyer graph: its task id), handed to `onEvent` with every step's event. */
  tag?: string;
}

/** Reads `input`/`init` into a `PreparedRequest` (the body is buffered here, once). */
export async function prepareRequest(
  input: string | URL | Request,
  init: RequestInit = {},
  tag?: string,
): Promise<PreparedRequest> {
  const base = input instanceof Request ? input : undefined;
  const url = new URL(base ? base.url : input.toString());
  const method = (init.method ?? base?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers ?? base?.headers);
  let body: ArrayBuffer | undefined;
  if (init.body !== undefined && init.body !== null) {
    // Let Request do the encoding (strings, forms, streams) and keep the bytes.
    const probe = new Request(url, { method, body: init.body, headers, duplex: 'half' } as RequestInit);
    body = await probe.arrayBuffer();
    const type = probe.headers.get('content-type');
    if (type && !headers.has('content-type')) headers.set('content-type', type);
  } else if (base && base.body) {
    body = await base.arrayBuffer();
  }
  return {
    url,
    origin: url.origin,
    path: requestPath(url.href),
    method,
    headers,
    body,
    signal: init.signal ?? base?.signal ?? undefined,
    tag,
  };
}

/**
 * The `fetch` init for one send of `req` to `req.url`, with `Authorization`
 * set when given: `fetch(req.url, sendInit(req, authorization, signal))`.
 * No `Request` is built here: a real `fetch` builds its own from any input.
 * The body needs no copy: `fetch` copies bytes when it takes them.
 * Redirects are not followed (`redirect: 'manual'`, infra/http/redirect.ts):
 * a 3xx is the seller's answer, on sockets as in the embedded world.
 */
export function sendInit(
  req: PreparedRequest,
  authorization: string | undefined,
  signal: AbortSignal,
): RequestInit {
  const headers = new Headers(req.headers);
  if (authorization) headers.set('authorization', authorization);
  else headers.delete('authorization');
  const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
  return { method: req.method, headers, ...(hasBody ? { body: req.body } : {}), signal, ...NO_REDIRECTS };
}
