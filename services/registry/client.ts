import type { Clock } from '../../infra/time/clock.js';
import type { PurchaseProof } from './ratings.js';
import { signRating } from './ratings.js';
import type { Signer } from './signing.js';
import { signAction } from './signing.js';
import type { Listing, ListingFields, ListingQuery, ListingRating } from './types.js';

/** A call's outcome: the value, or why not (HTTP status 0 when the registry was unreachable). */
export type ClientResult<T> =
  ({ ok: true } & T) | { ok: false; status: number; code: string; message: string };

/** Options of `RegistryClient`. */
export interface RegistryClientOptions {
  /** Registry root, e.g. `http://127.0.0.1:8402` (in memory: any origin, e.g. `http://registry.local`). */
  baseUrl: string;
  /** `globalThis.fetch` on sockets, or `(req) => app.fetch(req)` in memory. */
  fetch: (req: Request) => Promise<Response>;
  /** Stamps `signedAt` on writes. */
  clock: Clock;
}

/**
 * A typed client for the registry's HTTP API, so buyers, sellers and the
 * simulator never build URLs or sign by hand.
 *
 * @example
 * const registry = new RegistryClient({ baseUrl, fetch, clock });
 * await registry.register(seller.listing(sellerUrl), await nodeSigner(node));
 * const r = await registry.search({ capability: 'compute:stats', sort: 'price', limit: 5 });
 */
export class RegistryClient {
  readonly #o: RegistryClientOptions;
  #lastSignedAt = 0;

  constructor(options: RegistryClientOptions) {
    new URL(options.baseUrl); // throws early on a bad base URL
    this.#o = options;
  }

  /** `GET /listings?…` */
  search(q: ListingQuery = {}): Promise<ClientResult<{ listings: Listing[] }>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.#call('GET', `/listings${qs ? `?${qs}` : ''}`);
  }

  /** `GET /listings/:id` */
  get(id: string): Promise<ClientResult<{ listing: Listing }>> {
    return this.#call('GET', `/listings/${encodeURIComponent(id)}`);
  }

  /** Signs and sends a registration. */
  async register(listing: ListingFields, signer: Signer): Promise<ClientResult<{ listing: Listing }>> {
    const signedAt = this.#stamp();
    const signature = await signAction({ action: 'register', listing, signedAt }, signer);
    return this.#call('POST', '/listings', { listing, signedAt, signature });
  }

  /** Signs and sends a new version of listing `id`. */
  async update(
    id: string,
    listing: ListingFields,
    signer: Signer,
  ): Promise<ClientResult<{ listing: Listing }>> {
    const signedAt = this.#stamp();
    const signature = await signAction({ action: 'update', id, listing, signedAt }, signer);
    return this.#call('PUT', `/listings/${encodeURIComponent(id)}`, { listing, signedAt, signature });
  }

  /** Signs and sends the removal of listing `id`. */
  async remove(id: string, signer: Signer): Promise<ClientResult<{ listing: Listing }>> {
    const signedAt = this.#stamp();
    const signature = await signAction({ action: 'remove', id, signedAt }, signer);
    return this.#call('DELETE', `/listings/${encodeURIComponent(id)}`, { signedAt, signature });
  }

  /**
   * Rates listing `id` with the proof of a purchase from it (the paid invoice
   * and its preimage), signed by `payer`, the node that paid.
   */
  async rate(
    id: string,
    proof: PurchaseProof,
    payer: Signer,
  ): Promise<ClientResult<{ rating: ListingRating; paymentHash: string }>> {
    const body = await signRating(id, proof, payer, this.#stamp());
    return this.#call('POST', `/listings/${encodeURIComponent(id)}/ratings`, body);
  }

  /** Signing times strictly increase even within one clock tick, so quick successive updates are not replays. */
  #stamp(): number {
    this.#lastSignedAt = Math.max(this.#o.clock.now(), this.#lastSignedAt + 1);
    return this.#lastSignedAt;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<ClientResult<T>> {
    const req = new Request(new URL(path, this.#o.baseUrl), {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    let res: Response;
    try {
      res = await this.#o.fetch(req);
    } catch (err) {
      return {
        ok: false,
        status: 0,
        code: 'unreachable',
        message: `registry unreachable: ${(err as Error).message}`,
      };
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      return {
        ok: false,
        status: res.status,
        code: 'bad_response',
        message: `registry answered ${res.status} without JSON`,
      };
    }
    const obj = (json ?? {}) as Record<string, unknown>;
    if (!res.ok)
      return {
        ok: false,
        status: res.status,
        code: typeof obj.error === 'string' ? obj.error : 'http_error',
        message: typeof obj.message === 'string' ? obj.message : `HTTP ${res.status}`,
      };
    return { ok: true, ...(obj as T) };
  }
}
