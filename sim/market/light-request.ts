/**
 * A `Request` for an in-process handler that builds the real one only when
 * the handler needs it. Hono reads a request's url, method and headers on
 * every call and its body only in handlers that take one, while an undici
 * `Request` costs several times those three to build (URL parsing, a header
 * copy, the AbortSignal it always makes). So url, method, headers and the
 * caller's signal are plain fields, and everything else (body, clone, text(), ...) is
 * read from a real `Request` built from the same arguments on first use.
 * Only requests without a body are light (see `from`).
 *
 * Its prototype chain ends at `Request.prototype`, so `instanceof Request`
 * holds, but it is not a branded undici `Request`: `new Request(light)`
 * does not accept it (use `LightRequest.real`). It is handed only to the
 * embedded world's handlers, and the embedded `fetch` takes it back as given
 * or, with an init, as its real request (a handler forwarding its request).
 */
export class LightRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  /** The caller's signal: it aborts when the caller gives up, as a server's request signal does. */
  readonly #signal: AbortSignal | undefined;
  /** The init's redirect mode, if it named one (the real request gets it). */
  readonly #redirect: RequestInit['redirect'];
  #real: Request | undefined;

  private constructor(
    url: string,
    method: string,
    headers: Headers,
    signal: AbortSignal | undefined,
    redirect: RequestInit['redirect'],
  ) {
    this.url = url;
    this.method = method;
    this.headers = headers;
    this.#signal = signal;
    this.#redirect = redirect;
  }

  /** The caller's signal, or (none given) the real request's, which never aborts. */
  get signal(): AbortSignal {
    return this.#signal ?? LightRequest.real(this).signal;
  }

  /** The caller's signal it was built with, if any (reading it builds nothing). */
  static callerSignal(light: LightRequest): AbortSignal | undefined {
    return light.#signal;
  }

  /**
   * The request `fetch(input, init)` would build, as a light one, when it
   * has no body and its url, method and headers read the same as a real
   * `Request`'s (an upper-case standard method, no init fields but those and
   * a signal and redirect mode);
   * otherwise undefined (build a real `Request`). One with a body is left
   * real: its handler mostly reads the body, and a light request built real
   * later costs more than a real one built now (measured).
   * Its `signal` is the caller's own (`init.signal`): the real request, if
   * built, does not follow it (see InMemoryHttp.fetch).
   */
  static from(input: string | URL, init: RequestInit = {}): Request | undefined {
    for (const key in init) if (!INIT_KEYS.has(key)) return undefined;
    const method = init.method ?? 'GET';
    if (!METHODS.has(method) || (init.body ?? undefined) !== undefined) return undefined;
    if (init.redirect !== undefined && !REDIRECTS.has(init.redirect)) return undefined;
    const url = typeof input === 'string' ? new URL(input).href : input.href;
    // Copied now, as a real Request copies them when it is built.
    return new LightRequest(
      url,
      method,
      new Headers(init.headers),
      init.signal ?? undefined,
      init.redirect,
    ) as unknown as Request;
  }

  /** The real `Request` behind `light`, built on first use. */
  static real(light: LightRequest): Request {
    light.#real ??= new Request(light.url, {
      method: light.method,
      headers: light.headers,
      ...(light.#redirect !== undefined && { redirect: light.#redirect }),
    });
    return light.#real;
  }
}

/** The init fields a light request takes. */
const INIT_KEYS = new Set(['method', 'headers', 'body', 'signal', 'redirect']);
/** Redirect modes a `Request` takes (any other it refuses: the real one then says why). */
const REDIRECTS = new Set<unknown>(['follow', 'error', 'manual']);
/** Methods a `Request` keeps exactly as given (others it normalizes or refuses). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Members a light request answers itself. */
const OWN_MEMBERS = new Set<string | symbol>(['constructor', 'url', 'method', 'headers', 'signal']);

// Every other member of Request reads the real request: getters and methods alike.
Object.setPrototypeOf(LightRequest.prototype, Request.prototype);
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (OWN_MEMBERS.has(key)) continue;
  const d = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  if (d.get)
    Object.defineProperty(LightRequest.prototype, key, {
      get(this: LightRequest) {
        return Reflect.get(LightRequest.real(this), key);
      },
    });
  else if (typeof d.value === 'function')
    Object.defineProperty(LightRequest.prototype, key, {
      value(this: LightRequest, ...args: unknown[]) {
        const real = LightRequest.real(this);
        return (Reflect.get(real, key) as (...a: unknown[]) => unknown).apply(real, args);
      },
    });
}
