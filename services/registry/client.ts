import type { Clock } from '../../infra/time/clock.js';
import type { AddressPolicy } from './address-policy.js';
import { defaultAddressPolicy, listingAnswer, ratingAnswer, searchAnswer } from './client-answers.js';
import { attempt, type AttemptOptions, type CallLimit } from './client-attempt.js';
import { afterAttempts, REGISTRY_CALL_RETRIES, retryable, retryWait } from './client-retry.js';
import type { PurchaseProof } from './ratings.js';
import { signRating } from './ratings.js';
import { originOf } from './registry-origin.js';
import { listingId } from './signed-writes.js';
import type { Signer } from './signing.js';
import { signAction } from './signing.js';
import type { Listing, ListingFields, ListingQuery, ListingRating } from './types.js';

/** A call's outcome: the value, or why not (HTTP status 0 when the registry was unreachable). */
export type ClientResult<T> = ({ ok: true } & T) | ClientFailure;

/** Why a call failed: the HTTP status (0 when no answer came), a code, and a message for the user. */
export type ClientFailure = { ok: false; status: number; code: string; message: string };

/** Options of `RegistryClient`. */
export interface RegistryClientOptions {
  /** Registry root, e.g. `http://127.0.0.1:8402` (in memory: any origin, e.g. `http://registry.local`). */
  baseUrl: string;
  /** `globalThis.fetch` on sockets, or `(req) => app.fetch(req)` in memory. */
  fetch: (req: Request) => Promise<Response>;
  /**
   * Stamps `signedAt` on writes, and times every call: `systemClock` on sockets; the simulator's virtual
   * clock in its world, whose registry answers on that clock, so a run's calls never depend on wall time.
   */
  clock: Clock;
  /** How long one call may take on `clock`, answer and body, before it fails as `timeout` or `too_slow` (default 10 s). */
  timeoutMs?: number;
  /** The largest answer accepted; a longer body fails as `too_large` unread (default 32 MiB). */
  maxResponseBytes?: number;
  /**
   * How many times a call sends its request again after a failure that may pass, within its one
   * time limit (default 2; 0: never). Reads retry any such failure, writes only a 503
   * `store_unavailable`: see `retryable` in client-retry.ts.
   */
  retries?: number;
  /**
   * Which addresses the urls of listings it reads (`search`, `get`) may name, as the registry's
   * `--lab` says for listings it takes (address-policy.ts): `public` refuses loopback, private,
   * link-local and reserved IP literals and `localhost` names, `lab` allows loopback and private ones.
   * A listing naming another fails the call as `bad_response`. Default `defaultAddressPolicy(baseUrl)`:
   * `lab` for a registry at a loopback or private address or a `localhost` name, else `public`.
   */
  addressPolicy?: AddressPolicy;
}

/** What one call may change of the client's options. */
export interface CallOptions {
  /** Retries of this call (default: the client's `retries`). */
  retries?: number;
}

/** Default time limit of one registry call. */
export const REGISTRY_CALL_TIMEOUT_MS = 10_000;
/** Default answer size limit: a search answers at most 1,000 listings of at most 16 KiB written each, plus health and ratings. */
export const REGISTRY_RESPONSE_LIMIT = 32 * 2 ** 20;

/**
 * A typed client for the registry's HTTP API, so buyers, sellers and the
 * simulator never build URLs or sign by hand. Redirects are not followed
 * (infra/http/redirect.ts): a 3xx fails as `redirect`, naming where it pointed.
 * A failure that may pass is retried within the call's time limit: any of a
 * read, a 503 `store_unavailable` or `resolve_unavailable` of a write (client-retry.ts).
 *
 * @example
 * const registry = new RegistryClient({ baseUrl, fetch, clock });
 * await registry.register(seller.listing(sellerUrl), await nodeSigner(node));
 * const r = await registry.search({ capability: 'compute:stats', sort: 'price', limit: 5 });
 */
export class RegistryClient {
  readonly #o: RegistryClientOptions;
  readonly #attempt: AttemptOptions;
  /** The origin of `baseUrl`: every signed write names it, so no other registry takes it (registry-origin.ts). */
  readonly #registry: string;
  readonly #policy: AddressPolicy;
  #lastSignedAt = 0;

  constructor(options: RegistryClientOptions) {
    const registry = originOf(options.baseUrl); // throws early on a bad base URL
    if (registry === undefined)
      throw new TypeError(`baseUrl ${JSON.stringify(options.baseUrl)} is not an http(s) URL of a registry`);
    const { retries = REGISTRY_CALL_RETRIES } = options;
    if (!Number.isInteger(retries) || retries < 0)
      throw new RangeError(`retries must be a whole number of at least 0, got ${retries}`);
    this.#registry = registry;
    this.#policy = options.addressPolicy ?? defaultAddressPolicy(options.baseUrl);
    this.#o = options;
    const { baseUrl, fetch, clock, maxResponseBytes = REGISTRY_RESPONSE_LIMIT } = options;
    this.#attempt = { baseUrl, fetch, clock, maxResponseBytes };
  }

  /**
   * `GET /listings?…`. The answer is checked before anyone uses it (client-answers.ts): one that is
   * not a list of well-formed listings, each under its own id, at urls the `addressPolicy` allows,
   * fails as `bad_response`, naming the first problem.
   */
  async search(q: ListingQuery = {}, call?: CallOptions): Promise<ClientResult<{ listings: Listing[] }>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const r = await this.#call('GET', `/listings${qs ? `?${qs}` : ''}`, call);
    return r.ok ? searchAnswer(r.answer, this.#policy) : r;
  }

  /** `GET /listings/:id`; the answer is checked as a search's, and must be listing `id`. */
  async get(id: string, call?: CallOptions): Promise<ClientResult<{ listing: Listing }>> {
    const r = await this.#call('GET', `/listings/${encodeURIComponent(id)}`, call);
    return r.ok ? listingAnswer(r.answer, `listing ${id}`, { id, policy: this.#policy }) : r;
  }

  /** Signs and sends a registration; the answer must be the listing registered. */
  async register(
    listing: ListingFields,
    signer: Signer,
    call?: CallOptions,
  ): Promise<ClientResult<{ listing: Listing }>> {
    const [signedAt, registry] = [this.#stamp(), this.#registry];
    const signature = await signAction({ action: 'register', listing, signedAt, registry }, signer);
    const r = await this.#call('POST', '/listings', call, { listing, signedAt, signature, registry });
    const id = listingId(listing.nodePubkey, listing.url);
    return r.ok ? listingAnswer(r.answer, 'the registration', { id, fields: listing }) : r;
  }

  /** Signs and sends a new version of listing `id`; the answer must be that listing. */
  async update(
    id: string,
    listing: ListingFields,
    signer: Signer,
    call?: CallOptions,
  ): Promise<ClientResult<{ listing: Listing }>> {
    const [signedAt, registry] = [this.#stamp(), this.#registry];
    const signature = await signAction({ action: 'update', id, listing, signedAt, registry }, signer);
    const body = { listing, signedAt, signature, registry };
    const r = await this.#call('PUT', `/listings/${encodeURIComponent(id)}`, call, body);
    return r.ok ? listingAnswer(r.answer, `the update of ${id}`, { id, fields: listing }) : r;
  }

  /** Signs and sends the removal of listing `id`; the answer must be that listing. */
  async remove(id: string, signer: Signer, call?: CallOptions): Promise<ClientResult<{ listing: Listing }>> {
    const [signedAt, registry] = [this.#stamp(), this.#registry];
    const signature = await signAction({ action: 'remove', id, signedAt, registry }, signer);
    const body = { signedAt, signature, registry };
    const r = await this.#call('DELETE', `/listings/${encodeURIComponent(id)}`, call, body);
    return r.ok ? listingAnswer(r.answer, `the removal of ${id}`, { id }) : r;
  }

  /**
   * Rates listing `id` with the proof of a purchase from it (the paid invoice
   * and its preimage), signed by `payer`, the node that paid.
   */
  async rate(
    id: string,
    proof: PurchaseProof,
    payer: Signer,
    call?: CallOptions,
  ): Promise<ClientResult<{ rating: ListingRating; paymentHash: string }>> {
    const body = await signRating(id, proof, payer, this.#stamp(), this.#registry);
    const r = await this.#call('POST', `/listings/${encodeURIComponent(id)}/ratings`, call, body);
    return r.ok ? ratingAnswer(r.answer, id) : r;
  }

  /** Signing times strictly increase even within one clock tick, so quick successive updates are not replays. */
  #stamp(): number {
    this.#lastSignedAt = Math.max(this.#o.clock.now(), this.#lastSignedAt + 1);
    return this.#lastSignedAt;
  }

  /**
   * Sends the request, and again after a failure `retryable` allows, up to `retries` times: each
   * retry after `retryWait` on the clock, only if that wait ends within the call's one time limit.
   */
  async #call(
    method: string,
    path: string,
    call?: CallOptions,
    body?: unknown,
  ): Promise<ClientResult<{ answer: unknown }>> {
    const timeoutMs = this.#o.timeoutMs ?? REGISTRY_CALL_TIMEOUT_MS;
    const retries = call?.retries ?? this.#o.retries ?? REGISTRY_CALL_RETRIES;
    // One time limit for all attempts, answers and bodies, on the client's clock; its timer is cancelled once the call is over.
    const { clock } = this.#o;
    let cancelTimer = () => {};
    const late = new Promise<void>((resolve) => (cancelTimer = clock.setTimer(timeoutMs, resolve)));
    const limit: CallLimit = { ms: timeoutMs, deadline: clock.now() + timeoutMs, late };
    try {
      for (let n = 1; ; n++) {
        const { result, retryAfter } = await attempt(this.#attempt, { method, path, body }, limit);
        if (result.ok) return result;
        const wait = n <= retries && retryable(method, result) ? retryWait(n, retryAfter) : undefined;
        if (wait === undefined || clock.now() + wait >= limit.deadline) return afterAttempts(result, n);
        await clock.sleep(wait);
      }
    } finally {
      cancelTimer();
    }
  }
}
