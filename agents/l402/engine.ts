import type { Msat } from '../../infra/money.js';
import type { PaymentPolicy } from '../policies/index.js';
import { bodyTime, type EngineContext, type StepFailure } from './context.js';
import { engineContext } from './engine-context.js';
import { countSellerAnswer, sendWithToken, type Delivery } from './delivery.js';
import type { Held, Lease, Probe, PurchaseEngine, PurchaseEngineOptions } from './engine-types.js';
import { negotiateOffer, type Negotiated } from './negotiate.js';
import { authorizeOffer, makeOffer, policyCeiling, type AdvertisedPrice, type Offer } from './offer.js';
import { send } from './send.js';
import type { PurchaseHints } from './outcome.js';
import { payOffer, payOnDelivery, type Grant, type PaidOffer, type PayFailure } from './payment.js';
import { sendRefusedHoldAgain, type HeldPurchase } from './held-call.js';
import { askPayOnSuccess, showPayerKey } from './payer-lock.js';
import { readPaywallAnswer, type PaywallAnswer } from './paywall-response.js';
import { denial } from './purchase-run.js';
import { recoverPending, recoverToken, UnresolvedGrants } from './recovery.js';
import type { PreparedRequest } from './request.js';
import { guardScope, type GuardedCases } from './scope-guard.js';
import { SingleFlight } from './single-flight.js';
import { markPaying, othersPayingFor, payAlone, payingFor, pendingOf } from './store-payments.js';
import { tokenCovers } from './token-binding.js';
import { claimCall, dropToken, tokenUsable, type StoredToken, type TokenStore } from './token-store.js';

export type { Held, Lease, Probe, PurchaseEngine, PurchaseEngineOptions } from './engine-types.js';

/** The single-flight key of a request's resource. */
const keyOf = (req: PreparedRequest): string => `${req.origin}${req.path}`;
/** The single-flight key of a payment: the scope its token will cover (a /v1 token serves /v1/a and /v1/b). */
const scopeKeyOf = (offer: Offer): string =>
  `${offer.req.origin}${offer.limits.pathPrefix ?? offer.req.path}`;

/**
 * Creates a purchase engine.
 *
 * @example
 * const engine = createPurchaseEngine({ node, fetch, clock, policy });
 * const answer = await engine.probe(req);
 */
export function createPurchaseEngine(options: PurchaseEngineOptions): PurchaseEngine {
  return new Engine(options);
}

/** The engine: the stages of offer.ts, payment.ts and delivery.ts, each behind the guards. */
class Engine implements PurchaseEngine {
  readonly tokens: TokenStore;
  readonly policy: PaymentPolicy;
  readonly buyer?: string;
  readonly requestTimeoutMs: number;
  readonly #ctx: EngineContext;
  readonly #flights = new SingleFlight();
  /** Grants of payments whose fate was unknown: recovery settles or releases them. */
  readonly #unresolved = new UnresolvedGrants();

  constructor(options: PurchaseEngineOptions) {
    this.#ctx = engineContext(options);
    this.tokens = this.#ctx.tokens;
    this.policy = this.#ctx.policy;
    this.buyer = this.#ctx.buyer;
    this.requestTimeoutMs = this.#ctx.requestTimeoutMs;
  }

  held(req: PreparedRequest, { claim = false }: { claim?: boolean } = {}): Promise<Held> {
    return this.#held(req, undefined, claim);
  }

  claim(token: StoredToken): boolean {
    return claimCall(this.tokens, token, this.#ctx.clock.now());
  }

  /** What `held` answers; a caller holding the resource's lease does not wait for its own flight. */
  async #held(req: PreparedRequest, lease?: Lease, claim = false): Promise<Held> {
    for (;;) {
      // Only a token whose caveats allow this request's method and path: another is no answer to it.
      const t = this.tokens.get(req.origin, req.path, req.method);
      if (t?.state !== 'pending') {
        const usable = t && (claim ? this.claim(t) : tokenUsable(t, this.#ctx.clock.now()));
        if (usable) return { kind: 'usable', token: t };
        // Another engine on this store paying for a token that covers it (its pending token not stored yet).
        const others = othersPayingFor(this.tokens, req, this);
        if (!others) return { kind: 'none', token: t };
        await others;
      } else {
        // Still being paid (by any engine on this store; maybe for a sibling path): wait rather than ask the node.
        const flight = lease?.key === keyOf(req) ? undefined : this.#flights.waitFor(keyOf(req));
        const paying = payingFor(this.tokens, t.paymentHash) ?? flight;
        if (paying) await paying;
        else {
          const recovered = await recoverToken(this.#ctx, this.#unresolved, t).catch(() => undefined);
          // Left in flight by the node, unless an engine on this store began paying it meanwhile (waited next).
          if (recovered === undefined && !payingFor(this.tokens, t.paymentHash))
            return { kind: 'in_flight', paymentHash: t.paymentHash };
        }
      }
    }
  }

  send(req: PreparedRequest): Promise<{ ok: true; response: Response } | StepFailure> {
    return send(this.#ctx, req);
  }

  async probe(req: PreparedRequest, hints: PurchaseHints = {}): Promise<Probe> {
    const ctx = this.#ctx;
    // Ask for a hold invoice: the seller keeps our HTLC until it has delivered, or refunds it.
    if (hints.payOnSuccess) askPayOnSuccess(req);
    const at = ctx.clock.now();
    const sent = await send(ctx, req);
    // A redirect is an answer (its status is recorded), not followed: the probe fails on it.
    const status = sent.ok ? sent.response.status : sent.status;
    const durationMs = ctx.clock.now() - at;
    if (status !== undefined)
      ctx.emit({ atMs: at, durationMs, url: req.url.href, buyer: ctx.buyer, step: 'challenge', status }, req);
    if (!sent.ok) return sent;
    const res = sent.response;
    if (res.status !== 402) return { ok: true, open: res };
    return { ok: true, answer: await readPaywallAnswer(res, bodyTime(ctx)) };
  }

  offer(
    req: PreparedRequest,
    answer: PaywallAnswer,
    hints: PurchaseHints,
    startedAt: number,
    advertised?: AdvertisedPrice,
  ): Promise<{ ok: true; offer: Offer } | StepFailure> {
    return makeOffer(this.#ctx, req, answer, hints, startedAt, advertised);
  }

  negotiate(...args: Parameters<PurchaseEngine['negotiate']>): Promise<Negotiated> {
    return negotiateOffer(this.#ctx, ...args);
  }

  ceiling(offer: Offer, hints: PurchaseHints, policy: PaymentPolicy = this.policy): Msat | undefined {
    return policyCeiling(this.#ctx, policy, offer, hints);
  }

  async authorize(
    offer: Offer,
    hints: PurchaseHints,
    policy: PaymentPolicy = this.policy,
  ): Promise<{ ok: true; grant: Grant } | StepFailure> {
    const decision = await authorizeOffer(this.#ctx, policy, offer, hints);
    if (decision.kind !== 'allow') return denial(decision);
    return { ok: true, grant: { offer, reservation: decision.reservation, policy } };
  }

  pay(grant: Grant, { claim = true, lease }: { claim?: boolean; lease?: Lease } = {}) {
    const payNow = async (): Promise<PaidOffer | PayFailure> => {
      const settle = markPaying(this.tokens, grant.offer, this);
      // Claim our call before waking the waiters: a 1-call token is ours, not theirs to reuse.
      return payOffer(this.#ctx, grant)
        .then((p) => {
          if (!p.ok) this.#keepIfUnresolved(grant, p);
          else if (claim) this.tokens.recordUse(p.token);
          return p;
        })
        .finally(settle);
    };
    return this.#guarded(grant, lease, {
      pay: payNow,
      claim: (token) => !claim || this.claim(token),
      share: (token): PaidOffer => ({ ok: true, token, payMs: 0 }),
      inFlight: (failed) => failed,
    });
  }

  payOnSuccess(grant: Grant, lease: Lease): Promise<HeldPurchase> {
    const key = keyOf(grant.offer.req);
    if (lease.key !== key) throw new Error(`pay-on-success for ${key} under the lease of ${lease.key}`);
    const payNow = () => {
      showPayerKey(grant.offer.req);
      const settle = markPaying(this.tokens, grant.offer, this);
      // The delivery used one call (unless the seller gave it back): count it before waiters look at the token;
      // on a payment whose fate is unknown, on its pending token, which recovery completes with the count.
      // A held call refused though its payment settled is sent once more, with the preimage.
      return payOnDelivery(this.#ctx, grant)
        .then((r) => {
          if (!r.paid.ok) this.#keepIfUnresolved(grant, r.paid);
          const token = r.paid.ok ? r.paid.token : r.paid.unresolved && pendingOf(this.tokens, grant.offer);
          if (token) {
            this.tokens.recordUse(token);
            countSellerAnswer(this.tokens, token, r.delivery);
          }
          const deliver = (t: StoredToken) =>
            this.deliver(grant.offer.req, t, { claim: false, step: 'consume' });
          return sendRefusedHoldAgain(r, deliver, this.#ctx.clock);
        })
        .finally(settle);
    };
    return this.#guarded(grant, lease, {
      pay: payNow,
      claim: (token) => this.claim(token),
      share: async (token) => {
        const at = this.#ctx.clock.now();
        const delivery = await this.deliver(grant.offer.req, token, { claim: false, step: 'consume' });
        const paid: PaidOffer = { ok: true, token, payMs: 0 };
        return { paid, delivery, consumeMs: this.#ctx.clock.now() - at };
      },
      // No call is sent: no consume time.
      inFlight: (paid) => ({
        paid,
        delivery: { kind: 'failed', outcome: paid.outcome, reason: paid.reason },
      }),
    });
  }

  async deliver(
    req: PreparedRequest,
    token: StoredToken,
    { claim, step }: { claim: boolean; step: 'consume' | 'reuse' },
  ): Promise<Delivery> {
    if (claim) this.tokens.recordUse(token);
    const d = await sendWithToken(this.#ctx, req, token, step);
    // A claimed call goes back on a 5xx, a 429 or no answer (unless the seller says it kept it), and on a
    // refusal of a request outside the token's caveats, which drops the token only for a request they allow.
    if (d.kind !== 'rejected') countSellerAnswer(this.tokens, token, d);
    else if (tokenCovers(token, req.method, req.path)) await dropToken(this.tokens, token, this.#ctx.logger);
    else this.tokens.returnUse(token);
    return d;
  }

  recover(): Promise<{ completed: number; dropped: number; inFlight: number }> {
    return recoverPending(this.#ctx, this.#unresolved);
  }

  exclusive<T>(req: PreparedRequest, fn: (lease: Lease) => Promise<T>): Promise<T> {
    return this.#flights.run(keyOf(req), () => fn({ key: keyOf(req) }));
  }

  running(req: PreparedRequest): Promise<void> | undefined {
    return this.#flights.waitFor(keyOf(req));
  }

  /** A payment whose fate is unknown keeps its grant's money until recovery learns the fate. */
  #keepIfUnresolved(grant: Grant, failed: PayFailure): void {
    if (failed.unresolved) this.#unresolved.keep(grant);
  }

  /**
   * Pays under `guardScope`: one payment per token scope among this engine's purchases (under the
   * resource's lease, a token for that resource alone has none of them to wait for); and `payAlone`:
   * none while another engine on this token store pays for a token covering the request.
   */
  #guarded<T>(grant: Grant, lease: Lease | undefined, cases: GuardedCases<T>): Promise<T> {
    const release = () => grant.policy.release(grant.reservation);
    const alone = () => payAlone(this.tokens, grant.offer.req, this, release, cases);
    if (lease?.key === scopeKeyOf(grant.offer)) return alone();
    const held = () => this.#held(grant.offer.req, lease);
    return guardScope(this.#flights, scopeKeyOf(grant.offer), held, release, { ...cases, pay: alone });
  }
}
