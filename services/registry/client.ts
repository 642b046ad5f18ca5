import { readBody } from '../../infra/http/bounded-body.js';
import { isRedirect, NO_REDIRECTS, redirectRefusal } from '../../infra/http/redirect.js';
import type { Clock } from '../../infra/time/clock.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import type { PurchaseProof } from './ratings.js';
import { searchAnswerSchema } from './schema.js';
import { signRating } from './ratings.js';
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
}

/** Default time limit of one registry call. */
export const REGISTRY_CALL_TIMEOUT_MS = 10_000;
/** Default answer size limit: a search answers at most 1,000 listings of at most 16 KiB written each, plus health and ratings. */
export const REGISTRY_RESPONSE_LIMIT = 32 * 2 ** 20;

/**
 * A typed client for the registry's HTTP API, so buyers, sellers and the
 * simulator never build URLs or sign by hand. Redirects are not followed
 * (infra/http/redirect.ts): a 3xx fails as `redirect`, naming where it pointed.
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

  /**
   * `GET /listings?…`. The answer is checked before anyone uses it: one that
   * is not a list of well-formed listings fails as `bad_response`, naming
   * the first problem.
   */
  async search(q: ListingQuery = {}): Promise<ClientResult<{ listings: Listing[] }>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const r = await this.#call<{ listings: unknown }>('GET', `/listings${qs ? `?${qs}` : ''}`);
    if (!r.ok) return r;
    const checked = searchAnswerSchema.safeParse(r, { error: plainErrorMap });
    if (checked.success) return { ok: true, listings: checked.data.listings as Listing[] };
    const problem = describeIssues(checked.error.issues, { shown: 1 });
    return failure(200, 'bad_response', `registry answered a search the buyer cannot use: ${problem}`);
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
    const timeoutMs = this.#o.timeoutMs ?? REGISTRY_CALL_TIMEOUT_MS;
    const abort = new AbortController();
    const req = new Request(new URL(path, this.#o.baseUrl), {
      method,
      signal: abort.signal,
      ...NO_REDIRECTS,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    // One time limit for the answer and its body, on the client's clock; its timer is cancelled once the call is over.
    const { clock } = this.#o;
    let cancelTimer = () => {};
    const late = new Promise<void>((resolve) => (cancelTimer = clock.setTimer(timeoutMs, resolve)));
    const limit: CallLimit = { ms: timeoutMs, deadline: clock.now() + timeoutMs, late };
    try {
      return await this.#answer<T>(req, abort, limit);
    } finally {
      cancelTimer();
    }
  }

  async #answer<T>(req: Request, abort: AbortController, limit: CallLimit): Promise<ClientResult<T>> {
    const answer = await answerBefore(this.#o.fetch(req), limit.late, abort, limit.ms);
    if (!answer.ok) return failure(0, answer.timedOut ? 'timeout' : 'unreachable', answer.message);
    const res = answer.value;
    if (isRedirect(res.status)) {
      await res.body?.cancel().catch(() => {});
      const advice = "point the client at the registry's final URL";
      return failure(res.status, 'redirect', redirectRefusal('registry', res, req.url, advice));
    }
    // The body within what is left of the call's time limit.
    const { clock } = this.#o;
    const left = { clock, ms: Math.max(0, limit.deadline - clock.now()) };
    const read = await readBody(res, this.#o.maxResponseBytes ?? REGISTRY_RESPONSE_LIMIT, left);
    if (!read.ok) return failure(res.status, read.problem, bodyProblem(read.problem, res.status));
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(read.bytes));
    } catch {
      return failure(res.status, 'bad_response', `registry answered ${res.status} without JSON`);
    }
    const obj = (json ?? {}) as Record<string, unknown>;
    if (!res.ok)
      return failure(
        res.status,
        typeof obj.error === 'string' ? obj.error : 'http_error',
        typeof obj.message === 'string' ? obj.message : `HTTP ${res.status}`,
      );
    return { ok: true, ...(obj as T) };
  }
}

/** One call's time limit: `ms` on the client's clock, ending at `deadline`; `late` resolves then. */
interface CallLimit {
  ms: number;
  deadline: number;
  late: Promise<void>;
}

function failure(status: number, code: string, message: string): ClientFailure {
  return { ok: false, status, code, message };
}

function bodyProblem(problem: 'too_large' | 'too_slow' | 'unreadable', status: number): string {
  if (problem === 'too_large') return `registry answered ${status} with a body over the size limit`;
  if (problem === 'too_slow')
    return `registry answered ${status} but its body did not arrive within the time limit`;
  return `registry answered ${status} with an unreadable body`;
}

/** The fetch's answer if it comes before `late` resolves, or why not; once late, the request is aborted. */
async function answerBefore(
  answer: Promise<Response>,
  late: Promise<void>,
  abort: AbortController,
  ms: number,
): Promise<{ ok: true; value: Response } | { ok: false; timedOut: boolean; message: string }> {
  try {
    const first = await Promise.race([answer, late.then(() => 'late' as const)]);
    if (first !== 'late') return { ok: true, value: first };
    abort.abort();
    answer.catch(() => {}); // its rejection after the abort is expected
    return { ok: false, timedOut: true, message: `registry did not answer within ${ms} ms; retry later` };
  } catch (err) {
    return { ok: false, timedOut: false, message: `registry unreachable: ${(err as Error).message}` };
  }
}
