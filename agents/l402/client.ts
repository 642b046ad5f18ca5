import { silentLogger, type Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaymentPolicy } from '../policies/index.js';
import type { L402Client, L402ClientOptions, L402RequestInit } from './client-types.js';
import { createPurchaseEngine, type Lease, type PurchaseEngine } from './engine.js';
import type { PurchaseHints, PurchaseResult } from './outcome.js';
import { askPayOnSuccess } from './payer-lock.js';
import type { PaywallAnswer } from './paywall-response.js';
import type { PaidOffer } from './payment.js';
import { prepareRequest, type PreparedRequest } from './request.js';
import { holdResult, noTokenLeft, responseOf, Run } from './purchase-run.js';
import type { StoredToken, TokenStore } from './token-store.js';

export type { L402Client, L402ClientOptions, L402RequestInit } from './client-types.js';

const MAX_ROUNDS = 4;

/**
 * Creates an L402 client: request; on 402 pick the L402 challenge, decode and
 * check the invoice, ask the policy, pay with a fee ceiling, retry with
 * `Authorization: L402 <mac>:<preimage>`. Tokens are reused until they expire
 * or run out; a rejected token is dropped and the fresh challenge paid once.
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
  readonly #options: L402ClientOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: L402ClientOptions) {
    this.engine = createPurchaseEngine(options);
    this.tokens = this.engine.tokens;
    this.policy = this.engine.policy;
    this.#options = options;
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

  async purchase(
    input: string | URL | Request,
    init: RequestInit = {},
    hints: PurchaseHints = {},
  ): Promise<PurchaseResult> {
    const started = await this.#begin(input, init);
    if ('failed' in started) return started.failed;
    const { run, req } = started;
    let fresh: PaywallAnswer | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const held = await this.engine.held(req);
      if (held.kind === 'in_flight') {
        const reason = `an earlier payment ${held.paymentHash} is still in flight`;
        return run.fail({ ok: false, outcome: 'payment_timeout', reason }, this.#clock);
      }
      if (held.kind === 'usable' && !fresh) {
        const r = await this.#reuse(req, held.token, hints, run);
        if ('result' in r) return r.result;
        fresh = r.fresh;
        continue;
      }
      const flight = this.engine.running(req);
      if (flight) {
        // Someone is buying this resource now: wait, then use what they bought.
        fresh = undefined;
        await flight;
        continue;
      }
      if (hints.reuseOnly)
        return run.fail(noTokenLeft(held.token, this.#clock.now()), this.#clock, held.token);
      const answer = fresh;
      return this.engine.exclusive(req, (lease) => this.#buy(req, hints, run, lease, answer));
    }
    return run.fail(
      { ok: false, outcome: 'token_rejected', reason: `gave up after ${MAX_ROUNDS} rounds` },
      this.#clock,
    );
  }

  /** Sends a held token; a refused one (dropped by the engine) may come with a fresh 402 to pay. */
  async #reuse(
    req: PreparedRequest,
    token: StoredToken,
    hints: PurchaseHints,
    run: Run,
  ): Promise<{ result: PurchaseResult } | { fresh?: PaywallAnswer }> {
    run.attempts++;
    const at = this.#clock.now();
    const d = await this.engine.deliver(req, token, { claim: true, step: 'reuse' });
    run.timings.consumeMs = this.#clock.now() - at;
    if (d.kind === 'delivered') return { result: run.reused(token, d.response, this.#clock) };
    if (d.kind === 'failed') return { result: run.fail({ ok: false, ...d }, this.#clock, token) };
    const { status, reason } = d.answer;
    if (hints.reuseOnly)
      return {
        result: run.fail(
          { ok: false, outcome: d.outcome, reason: reason ?? `HTTP ${status}`, status },
          this.#clock,
          token,
        ),
      };
    this.#options.onEvent?.({
      atMs: this.#clock.now(),
      durationMs: 0,
      url: req.url.href,
      buyer: this.#options.buyer,
      step: 'retry',
      status,
      ...(reason ? { reason } : {}),
    });
    this.#logger.debug({ url: req.url.href, status, reason }, 'l402: token rejected, evicted');
    // Aperture answers a spent token with a fresh 402: pay that one; a 401 needs a new probe.
    // Not when we asked for pay-on-success and this 402 (to a plain retry) offers an ordinary invoice.
    return status === 402 && (!hints.payOnSuccess || d.answer.payOnSuccess) ? { fresh: d.answer } : {};
  }

  /** One paid purchase, as the resource's one flight: probe (unless a fresh 402 is at hand), offer, authorize, pay, deliver. */
  async #buy(
    req: PreparedRequest,
    hints: PurchaseHints,
    run: Run,
    lease: Lease,
    answer?: PaywallAnswer,
    andConsume = true,
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    // Ask for a hold invoice: the seller keeps our HTLC until it has delivered, or refunds it.
    if (hints.payOnSuccess) askPayOnSuccess(req);
    if (!answer) {
      const at = this.#clock.now();
      run.attempts++;
      const probe = await this.engine.probe(req, hints);
      if (!probe.ok) return run.fail(probe, this.#clock);
      if ('open' in probe) return this.#openAnswer(probe.open, run, at);
      answer = probe.answer;
    }
    const made = await this.engine.offer(req, answer, hints, run.startedAt);
    if (!made.ok) return run.fail(made, this.#clock);
    run.sawOffer(made.offer);
    const allowed = await this.engine.authorize(made.offer, hints);
    if (!allowed.ok) return run.fail(allowed, this.#clock);
    if (answer.payOnSuccess && andConsume) {
      run.attempts++;
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

  /** A probe answered without a challenge: the response itself (a success or the seller's error). */
  #openAnswer(res: Response, run: Run, at: number): PurchaseResult {
    run.timings.consumeMs = this.#clock.now() - at;
    if (res.status < 400)
      return run.done({ outcome: 'success', response: res, status: res.status }, this.#clock);
    const outcome = res.status === 429 ? 'rate_limited' : 'seller_error';
    const reason = `HTTP ${res.status} without a payment challenge`;
    return run.fail({ ok: false, outcome, reason, status: res.status, response: res }, this.#clock);
  }

  /** Sends the paid request; `pay` has already counted this call on the token. */
  async #consume(req: PreparedRequest, paid: PaidOffer, run: Run): Promise<PurchaseResult> {
    const at = this.#clock.now();
    run.attempts++;
    const d = await this.engine.deliver(req, paid.token, { claim: false, step: 'consume' });
    run.timings.consumeMs = this.#clock.now() - at;
    if (d.kind === 'delivered')
      return run.done({ outcome: 'success', response: d.response, status: d.response.status }, this.#clock);
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
  ): Promise<{ run: Run; req: PreparedRequest } | { failed: PurchaseResult }> {
    const run = new Run(this.#clock.now());
    try {
      return { run, req: await prepareRequest(input, init) };
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
    const started = await this.#begin(input, init);
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
      return this.engine.exclusive(req, (lease) => this.#buy(req, hints, run, lease, undefined, false));
    }
    return run.fail(
      { ok: false, outcome: 'payment_timeout', reason: 'another purchase of this resource is still running' },
      this.#clock,
    );
  }
}
