/**
 * A request buffered once so it can be sent again: the unauthenticated probe,
 * then the retry with credentials. A stream body can be read only once, so
 * it is read into memory before the first send.
 */
export interface PreparedRequest {
  url: URL;
  /** `scheme://host[:port]`. */
  origin: string;
  /** Path without the query. */
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
    path: url.pathname,
    method,
    headers,
    body,
    signal: init.signal ?? base?.signal ?? undefined,
    tag,
  };
}

/**
 * A fresh `Request` for one send, with `Authorization` set when given. It
 * carries no signal: `send` hands its signal to `fetch` beside it, as
 * `fetch(request, { signal })`. A real `fetch` builds its own `Request` from
 * any input and follows the signal there, once; the embedded world honours it
 * without building it into a `Request` (following a signal is most of what a
 * `Request` costs to build).
 */
export function buildRequest(req: PreparedRequest, authorization?: string): Request {
  const headers = new Headers(req.headers);
  if (authorization) headers.set('authorization', authorization);
  else headers.delete('authorization');
  const hasBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(req.url, {
    method: req.method,
    headers,
    body: hasBody ? req.body!.slice(0) : undefined,
  });
}
