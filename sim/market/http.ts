/**
 * HTTP inside the embedded world: every service is a Hono app reached through
 * its `app.fetch(Request)`, keyed by host name. No sockets, no timers: a
 * request settles through promises only, which is what lets the engine run
 * on virtual time. An unknown host fails like a real `fetch` does (TypeError).
 */
import { LightRequest } from './light-request.js';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export class InMemoryHttp {
  readonly #hosts = new Map<string, FetchHandler>();

  /** Serves `handler` at `http://<host>`; returns that base URL. */
  serve(host: string, handler: FetchHandler): string {
    if (this.#hosts.has(host)) throw new Error(`host ${host} is already served`);
    this.#hosts.set(host, handler);
    return `http://${host}`;
  }

  /**
   * A `fetch` that dispatches by host. The caller's signal (`init.signal`,
   * else a `Request` input's own) rejects the answer when it aborts, as a
   * real `fetch` does, and is the handler's request signal, as a node
   * server's request signal aborts when its client goes away: a handler
   * still running when the caller gives up sees `request.signal.aborted`.
   * A URL with a plain init reaches the handler as a `LightRequest` (a real
   * `Request` is built only if the handler reads past url, method, headers
   * and signal); `fetch(request, { signal })` hands `request` over as is,
   * its own signal being the handler's.
   */
  readonly fetch: typeof fetch = async (input, init) => {
    const signal = callerSignal(input, init);
    const request = handlerRequest(input, init, signal);
    const host = hostOf(request.url);
    const handler = this.#hosts.get(host);
    if (!handler) throw new TypeError(`fetch failed: no service at ${host} in the embedded world`);
    if (!signal) return handler(request);
    if (signal.aborted) throw signal.reason;
    return abortable(handler(request), signal);
  };
}

/** The signal a real `fetch(input, init)` follows: `init.signal` if init names one, else a Request's own. */
function callerSignal(input: string | URL | Request, init: RequestInit | undefined): AbortSignal | undefined {
  if (init?.signal !== undefined) return init.signal ?? undefined;
  if (input instanceof LightRequest) return LightRequest.callerSignal(input);
  return input instanceof Request ? input.signal : undefined;
}

/**
 * The request a handler gets for `fetch(input, init)`, its signal the caller's.
 * A real `Request` is built without the signal (following one is most of what
 * building it costs) and is given the caller's as its own `signal`.
 */
function handlerRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
  signal: AbortSignal | undefined,
): Request {
  // A handler forwarding the light request it was given: `new Request` takes only the real one.
  if (input instanceof LightRequest && init !== undefined && !signalOnly(init))
    input = LightRequest.real(input);
  if (input instanceof Request) {
    if (init === undefined || signalOnly(init)) return input;
  } else {
    const light = LightRequest.from(input, init);
    if (light) return light;
  }
  const request = new Request(input, init?.signal ? { ...init, signal: null } : init);
  return signal ? Object.defineProperty(request, 'signal', { value: signal }) : request;
}

/** True when `init` sets nothing but a signal. */
function signalOnly(init: RequestInit): boolean {
  for (const key in init) if (key !== 'signal') return false;
  return true;
}

/** The host (`name[:port]`) of a URL as `new URL(url).host` reads it; serialized http(s) URLs are sliced, not parsed. */
export function hostOf(url: string): string {
  if (!url.startsWith('http://') && !url.startsWith('https://')) return new URL(url).host;
  const start = url.indexOf('//') + 2;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  // A serialized URL percent-encodes any '@' in its user info: the last one ends it.
  return url.slice(Math.max(start, url.lastIndexOf('@', end) + 1), end);
}

/** `answer`, or the signal's reason if it aborts first. */
function abortable(answer: Response | Promise<Response>, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(answer).then(
      (res) => (signal.removeEventListener('abort', onAbort), resolve(res)),
      (err: unknown) => (signal.removeEventListener('abort', onAbort), reject(err)),
    );
  });
}
