import { silentLogger, type Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaymentPolicy } from '../policies/index.js';
import { openResult, withBoundedAnswer, type BodyLimits } from './bounded-answer.js';
import type { L402Client, L402ClientOptions, L402RequestInit } from './client-types.js';
import { createPurchaseEngine, type Lease, type PurchaseEngine } from './engine.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from './engine-context.js';
import type { PurchaseHints, PurchaseResult } from './outcome.js';
import type { PaidOffer } from './payment.js';
import { prepareRequest, type PreparedRequest } from './request.js';
import { holdResult, noTokenLeft, responseOf, Run } from './purchase-run.js';
import { earlierInFlight } from './scope-guard.js';
import { sellerCode } from './paywall-response.js';
import type { StoredToken, TokenStore } from './token-store.js';

export type { L402Client, L402ClientOptions, L402RequestInit } from './client-types.js';

const MAX_ROUNDS = 4;

/** A purchase that found the resource still being bought after its waits: it began no payment (`notStarted`). */
const STILL_RUNNING = {
  ok: false,
  outcome: 'payment_timeout',
  reason: 'another purchase of this resource is still running',
  notStarted: true,
} as const;

/**
 * Creates an L402 client: request; on 402 pick the L402 challenge, decode and
 * check the invoice, ask the policy, pay with a fee ceiling, retry with
 * `Authorization: L402 <mac>:<preimage>`. Tokens are reused until they expire
 * or run out; a held token the seller refuses is dropped and the purchase ends
 * as `token_refused` (nothing paid): the next purchase buys anew.
 * Concurrent purchases of one resource share one payment (the engine's guards).
 *
 * @example
 * const client = createL402Client({ node, fetch: app.fetch, clock });
 * const res = await client.fetch('http://seller.test/v1/quote', { l402: { maxPriceMsat: 20_000 } });
 */
export function createL402Client(options: L402ClientOptions): L402Client {
  return new Client(options);
}

/** The engine's stages run straight through, one purchase per call. */
class Client implements L402Client {
  readonly engine: PurchaseEngine;
  readonly tokens: TokenStore;
  readonly policy: PaymentPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #limits: BodyLimits;

  constructor(options: L402ClientOptions) {
    this.engine = createPurchaseEngine(options);
    this.#limits = {
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clock: options.clock,
    };
    this.tokens = this.engine.tokens;
    this.policy = this.engine.policy;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    // Callers hand these around as plain functions (`fetch: client.fetch`).
    this.fetch = this.fetch.bind(this);
    this.purchase = this.purchase.bind(this);
    this.acquire = this.acquire.bind(this);
    this.recover = this.recover.bind(this);
  }

  async fetch(input: string | URL | Request, init: L402RequestInit = {}): Promise<Response> {
    const { l402, ...rest } = init;
    return responseOf(await this.purchase(input, rest, l402));
  }

  recover(): Promise<{ completed: number; dropped: number; inFlight: number }> {
    return this.engine.recover();
  }

  /** Every answer handed back is read within the limits: a delivered one by the engine, any other here. */
  async purchase(
    input: string | URL | Request,
    init: RequestInit = {},
    hints: PurchaseHints = {},
  ): Promise<PurchaseResult> {
    return withBoundedAnswer(await this.#purchase(input, init, hints), this.#limits);
  }

  async #purchase(
    input: string | URL | Request,
    init: RequestInit,
    hints: PurchaseHints,
  ): Promise<PurchaseResult> {
    const started = await this.#begin(input, init, hints.tag);
    if ('failed' in started) return started.failed;
    const { run, req } = started;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A usable token comes with our call claimed on it: concurrent purchases never share its last call.
      const held = await this.engine.held(req, { claim: true });
      if (held.kind === 'in_flight') return run.fail(earlierInFlight(held.paymentHash), this.#clock);
      if (held.kind === 'usable') return this.#reuse(req, held.token, run);
      const flight = this.engine.running(req);
      if (flight) {
        // Someone is buying this resource now: wait, then use what they bought.
        await flight;
        continue;
      }
      if (hints.reuseOnly)
        return run.fail(noTokenLeft(held.token, this.#clock.now()), this.#clock, held.token);
      return this.engine.exclusive(req, (lease) => this.#buy(req, hints, run, lease));
    }
    return run.fail(STILL_RUNNING, this.#clock);
  }

  /**
   * Sends a held token whose call `held` claimed for this purchase. A refusal (the token had
   * calls left by our count) ends this purchase as `token_refused` with nothing paid, whatever
   * the seller offers with it: buying again is the caller's next purchase, which its policy
   * decides on like any other.
   */
  async #reuse(req: PreparedRequest, token: StoredToken, run: Run): Promise<PurchaseResult> {
    run.requests++;
    const at = this.#clock.now();
    const d = await this.engine.deliver(req, token, { claim: false, step: 'reuse' });
    run.timings.consumeMs = this.#clock.now() - at;
    if (d.kind === 'delivered') return run.reused(token, d.response(), this.#clock);
    if (d.kind === 'failed') return run.fail({ ok: false, ...d }, this.#clock, token);
    const { status, reason } = d.answer;
    this.#logger.debug({ url: req.url.href, status, reason }, 'l402: held token refused, evicted');
    const why = `the seller refused a held token with calls left (HTTP ${status}${reason ? ` ${reason}` : ''})`;
    const refused = {
      ok: false as const,
      outcome: d.outcome,
      reason: why,
      status,
      ...(sellerCode(reason) ? { refusal: reason } : {}),
    };
    return run.fail(refused, this.#clock, token);
  }

  /** One paid purchase, as the resource's one flight: probe, offer, authorize, pay, deliver. */
  async #buy(
    req: PreparedRequest,
    hints: PurchaseHints,
    run: Run,
    lease: Lease,
    andConsume = true,
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    const at = this.#clock.now();
    run.requests++;
    const probe = await this.engine.probe(req, hints);
    if (!probe.ok) return run.fail(probe, this.#clock);
    if ('open' in probe) return openResult(run, probe.open, at, this.#clock, this.#limits);
    const answer = probe.answer;
    const made = await this.engine.offer(req, answer, hints, run.startedAt);
    if (!made.ok) return run.fail(made, this.#clock);
    run.sawOffer(made.offer);
    const allowed = await this.engine.authorize(made.offer, hints);
    if (!allowed.ok) return run.fail(allowed, this.#clock);
    if (answer.payOnSuccess && andConsume) {
      run.requests++;
      const { paid, delivery, consumeMs } = await this.engine.payOnSuccess(allowed.grant, lease);
      return holdResult(run, paid, delivery, consumeMs, this.#clock);
    }
    const paid = await this.engine.pay(allowed.grant, { claim: andConsume, lease });
    run.timings.payMs = paid.payMs;
    if (!paid.ok) return run.fail(paid, this.#clock);
    run.paid(paid);
    if (!andConsume) return { ...run.done({ outcome: 'success' }, this.#clock), token: paid.token };
    return this.#consume(req, paid, run);
  }

  /** Sends the paid request; `pay` has already counted this call on the token. */
  async #consume(req: PreparedRequest, paid: PaidOffer, run: Run): Promise<PurchaseResult> {
    const at = this.#clock.now();
    run.requests++;
    const d = await this.engine.deliver(req, paid.token, { claim: false, step: 'consume' });
    run.timings.consumeMs = this.#clock.now() - at;
    if (d.kind === 'delivered')
      return run.done({ outcome: 'success', response: d.response(), status: d.status }, this.#clock);
    if (d.kind === 'rejected') {
      const { status, reason } = d.answer;
      return run.fail(
        { ok: false, outcome: d.outcome, reason: reason ?? `HTTP ${status}`, status },
        this.#clock,
      );
    }
    return run.fail({ ok: false, ...d }, this.#clock);
  }

  /** Starts a purchase record and buffers the request once (bodies survive retries); a request that cannot be built ends as `bad_request`. */
  async #begin(
    input: string | URL | Request,
    init: RequestInit,
    tag: string | undefined,
  ): Promise<{ run: Run; req: PreparedRequest } | { failed: PurchaseResult }> {
    const run = new Run(this.#clock.now());
    try {
      return { run, req: await prepareRequest(input, init, tag) };
    } catch (err) {
      return {
        failed: run.fail({ ok: false, outcome: 'bad_request', reason: (err as Error).message }, this.#clock),
      };
    }
  }

  async acquire(
    input: string | URL | Request,
    init: RequestInit = {},
    hints: PurchaseHints = {},
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    return withBoundedAnswer(await this.#acquire(input, init, hints), this.#limits);
  }

  async #acquire(
    input: string | URL | Request,
    init: RequestInit,
    hints: PurchaseHints,
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    const started = await this.#begin(input, init, hints.tag);
    if ('failed' in started) return started.failed;
    const { run, req } = started;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const held = await this.engine.held(req);
      if (held.kind === 'usable') {
        const t = held.token;
        const found = {
          tokenReused: true,
          paymentHash: t.paymentHash,
          macaroon: t.macaroon,
          preimage: t.preimage,
        };
        return { ...run.done({ outcome: 'success' }, this.#clock), ...found, token: t };
      }
      if (held.kind === 'in_flight') break;
      const flight = this.engine.running(req);
      if (flight) {
        await flight;
        continue;
      }
      return this.engine.exclusive(req, (lease) => this.#buy(req, hints, run, lease, false));
    }
    return run.fail(STILL_RUNNING, this.#clock);
  }
}
