/**
 * HTTP inside the embedded world: every service is a Hono app reached through
 * its `app.fetch(Request)`, keyed by host name. No sockets, no timers: a
 * request settles through promises only, which is what lets the engine run
 * on virtual time. An unknown host fails like a real `fetch` does (TypeError).
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

export class InMemoryHttp {
  readonly #hosts = new Map<string, FetchHandler>();

  /** Serves `handler` at `http://<host>`; returns that base URL. */
  serve(host: string, handler: FetchHandler): string {
    if (this.#hosts.has(host)) throw new Error(`host ${host} is already served`);
    this.#hosts.set(host, handler);
    return `http://${host}`;
  }

  /** A `fetch` that dispatches by host. */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const host = new URL(request.url).host;
    const handler = this.#hosts.get(host);
    if (!handler) throw new TypeError(`fetch failed: no service at ${host} in the embedded world`);
    return handler(request);
  };
}
