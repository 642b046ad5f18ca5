import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Payment, PaymentFailureReason, PayOptions } from '../../infra/lightning/node.js';
import type { PaymentPolicy, Reservation } from '../policies/index.js';
import type { EngineContext, StepFailure } from './context.js';
import { sendAuthorized, sendWithToken, type Delivery } from './delivery.js';
import type { Offer } from './offer.js';
import { outcomeOfPaymentFailure } from './outcome.js';
import { emitPay } from './pay-event.js';
import { sendOnce } from './send-once.js';
import type { StoredToken } from './token-store.js';

/** An offer the policy allowed: the money it holds and the policy to settle or release it with. */
export interface Grant {
  offer: Offer;
  reservation: Reservation;
  policy: PaymentPolicy;
}

/**
 * What paying an offer produced: the paid token. `payment` is absent when
 * nothing was paid because another purchase of the same resource left a
 * usable token (the grant's money was released).
 */
export type PaidOffer = { ok: true; token: StoredToken; payment?: Payment; payMs: number };

/**
 * Pays an authorized offer: store the token as pending, pay with the fee
 * ceiling, then settle the reservation and complete the token, or release and
 * drop them. When the node's answer is lost (it threw), the payment is looked
 * up by hash; if its fate stays unknown, the pending token and the reservation
 * are kept (`unresolved`) so the money can neither be spent twice nor be
 * counted as free, until recovery settles or releases it (engine.ts, recovery.ts).
 * A hash the node paid before is not paid nor charged again (`sendOnce`, `fromEarlierPayment`).
 */
export async function payOffer(ctx: EngineContext, grant: Grant): Promise<PaidOffer | PayFailure> {
  const opts = payOptions(ctx, grant.offer);
  const at = ctx.clock.now();
  const pending = pendingToken(grant.offer, at);
  return sendOnce(ctx, grant.offer.paymentHash, async (earlier) => {
    if (earlier) return fromEarlierPayment(ctx, grant, pending, earlier, at);
    await ctx.tokens.put(pending);
    const { payment, thrown } = await payInvoice(ctx, grant.offer, opts);
    return finishPayment(ctx, grant, pending, payment, thrown, at);
  });
}

/**
 * A failed payment step. `unresolved`: the payment's fate is unknown (still in
 * flight, or a success whose preimage does not open the hash); its token stays
 * pending and the grant's money stays held until recovery learns the fate.
 */
export type PayFailure = StepFailure & { payMs: number; payment?: Payment; unresolved?: true };

function pendingToken(offer: Offer, at: number): StoredToken {
  return {
    origin: offer.req.origin,
    pathPrefix: offer.limits.pathPrefix ?? offer.req.path,
    macaroon: offer.macaroon,
    paymentHash: offer.paymentHash,
    state: 'pending',
    invoice: offer.challenge.invoice,
    amountMsat: offer.amountMsat,
    createdAt: at,
    validUntilMs: offer.limits.validUntilMs,
    maxCalls: offer.limits.maxCalls,
    callsUsed: 0,
    // The service the token's caveats are scoped to (what attenuating it needs), else the caller's name.
    service: offer.limits.services[0]?.name ?? offer.service,
  };
}

function payOptions(ctx: EngineContext, offer: Offer): PayOptions {
  const ms = ctx.payTimeoutMs;
  return { maxFeeMsat: offer.maxFeeMsat, ...(ms !== undefined ? { timeoutMs: ms } : {}) };
}

/**
 * Refusals that can hide a live payment: the node refused a repeated send
 * (the invoice expired meanwhile) or one this node paid already, while an
 * earlier send may be in flight or done. Only the payment's record tells.
 */
const MAY_HIDE_A_PAYMENT: ReadonlySet<PaymentFailureReason> = new Set(['already_paid', 'invoice_expired']);

/**
 * Pays; when the node throws or refuses in a way that may hide a payment, the payment is looked
 * up by hash. It had no record before the send (`sendOnce`): a record found now is this send's.
 */
async function payInvoice(
  ctx: EngineContext,
  offer: Offer,
  opts: PayOptions,
): Promise<{ payment?: Payment; thrown?: unknown }> {
  let payment: Payment;
  try {
    payment = await ctx.node.pay(offer.challenge.invoice, opts);
  } catch (thrown) {
    return { payment: await lookUp(ctx, offer.paymentHash), thrown };
  }
  const reason = payment.status === 'failed' ? payment.failure?.reason : undefined;
  if (reason && MAY_HIDE_A_PAYMENT.has(reason))
    return { payment: (await lookUp(ctx, offer.paymentHash)) ?? payment };
  return { payment };
}

/** The node's record of the payment (`undefined`: none); no answer means its fate is unknown: in flight. */
function lookUp(ctx: EngineContext, paymentHash: string): Promise<Payment | undefined> {
  return ctx.node.lookupPayment(paymentHash).catch(() => ({ status: 'in_flight' }) as Payment);
}

/**
 * Pay-on-success (hold invoices): pays and sends the retry `L402 <mac>:` at
 * once. The seller runs the handler while our HTLC is held, then settles
 * (delivered: we learn the preimage) or cancels (we are refunded).
 */
export async function payOnDelivery(
  ctx: EngineContext,
  grant: Grant,
): Promise<{ paid: PaidOffer | PayFailure; delivery: Delivery; consumeMs: number }> {
  const { offer } = grant;
  const opts = payOptions(ctx, offer);
  const at = ctx.clock.now();
  const pending = pendingToken(offer, at);
  return sendOnce(ctx, offer.paymentHash, async (earlier) => {
    if (earlier) {
      const paid = await fromEarlierPayment(ctx, grant, pending, earlier, at);
      const delivery: Delivery = paid.ok
        ? await sendWithToken(ctx, offer.req, paid.token, 'consume')
        : { kind: 'failed', outcome: paid.outcome, reason: paid.reason };
      return { paid, delivery, consumeMs: ctx.clock.now() - at };
    }
    await ctx.tokens.put(pending);
    const [{ payment, thrown }, delivery] = await Promise.all([
      payInvoice(ctx, offer, opts),
      sendAuthorized(ctx, offer.req, `L402 ${offer.macaroon}:`, offer.paymentHash, 'consume'),
    ]);
    const consumeMs = ctx.clock.now() - at;
    const paid = await finishPayment(ctx, grant, pending, payment, thrown, at);
    return { paid, delivery, consumeMs };
  });
}

async function finishPayment(
  ctx: EngineContext,
  { offer, reservation, policy }: Grant,
  pending: StoredToken,
  payment: Payment | undefined,
  thrown: unknown,
  at: number,
): Promise<PaidOffer | PayFailure> {
  const payMs = ctx.clock.now() - at;
  const emitPay = payEmitter(ctx, offer, at, payMs);
  if (provenPaid(payment, offer.paymentHash)) {
    policy.settle(reservation, payment.amountMsat + payment.feeMsat);
    const token: StoredToken = { ...pending, state: 'paid', preimage: payment.preimage.toLowerCase() };
    await ctx.tokens.put(token);
    emitPay(true, payment);
    return { ok: true, token, payment, payMs };
  }
  if (payment === undefined || payment.status === 'failed') {
    policy.release(reservation);
    await ctx.tokens.evict(pending.origin, pending.pathPrefix, pending.paymentHash);
    const reason = payment?.failure
      ? `${payment.failure.reason}: ${payment.failure.message}`
      : `payment never started: ${(thrown as Error)?.message ?? thrown}`;
    emitPay(false, payment, reason);
    const outcome = payment?.failure ? outcomeOfPaymentFailure(payment.failure.reason) : 'payment_failed';
    return { ok: false, outcome, reason, payMs, payment };
  }
  // In flight, or a success whose preimage does not open the hash: fate unknown, keep everything held.
  const reason =
    payment.status === 'in_flight'
      ? 'payment still in flight; the token stays pending and is recovered by payment hash'
      : `node reported a preimage that does not hash to ${offer.paymentHash}`;
  emitPay(false, payment, reason);
  return {
    ok: false,
    outcome: payment.status === 'in_flight' ? 'payment_timeout' : 'payment_failed',
    reason,
    payMs,
    payment,
    unresolved: true,
  };
}

/** Reports paying `offer`: what left the node when `ok`; otherwise the offer's amount and why not. */
function payEmitter(ctx: EngineContext, offer: Offer, at: number, payMs: number) {
  return (ok: boolean, p: Payment | undefined, failure?: string) =>
    emitPay(ctx, offer.req, {
      atMs: at,
      durationMs: payMs,
      ok,
      amountMsat: ok ? (p?.amountMsat ?? offer.amountMsat) : offer.amountMsat,
      feeMsat: ok ? (p?.feeMsat ?? 0) : 0,
      hops: ok ? (p?.hops ?? 0) : 0,
      paymentHash: offer.paymentHash,
      ...(failure ? { failure } : {}),
    });
}

/** Whether `p` succeeded with a preimage that opens `paymentHash`: the token's proof of payment. */
function provenPaid(p: Payment | undefined, paymentHash: string): p is Payment & { preimage: string } {
  return p?.status === 'succeeded' && !!p.preimage && preimageMatches(p.preimage, paymentHash);
}

/**
 * The node paid (or is paying) the hash before this purchase (an earlier one whose token the
 * seller refused or the buyer lost, another client of the node). Nothing is sent: the grant's
 * money is released, the purchase pays 0 (no `payment`, no `pay ok`). A success completes this
 * offer's token from its preimage: the buyer holds what it paid for once, and a seller refusing
 * it again gets a refusal, not more money. One in flight (or without a preimage that opens the
 * hash) fails the purchase and stores nothing: whoever made it recovers it by hash.
 */
async function fromEarlierPayment(
  ctx: EngineContext,
  { offer, reservation, policy }: Grant,
  pending: StoredToken,
  earlier: Payment,
  at: number,
): Promise<PaidOffer | PayFailure> {
  policy.release(reservation);
  if (provenPaid(earlier, offer.paymentHash)) {
    const token: StoredToken = { ...pending, state: 'paid', preimage: earlier.preimage.toLowerCase() };
    await ctx.tokens.put(token);
    ctx.logger.info({ url: offer.url, paymentHash: offer.paymentHash }, 'l402: invoice paid before');
    return { ok: true, token, payMs: ctx.clock.now() - at };
  }
  const inFlight = earlier.status === 'in_flight';
  const reason =
    `this node's payment of invoice ${offer.paymentHash}, begun before this purchase, ` +
    `${inFlight ? 'is still in flight' : 'has no preimage that opens its hash'}; nothing was paid now: ` +
    'buy again once that payment has ended';
  const payMs = ctx.clock.now() - at;
  payEmitter(ctx, offer, at, payMs)(false, undefined, reason);
  return { ok: false, outcome: inFlight ? 'payment_timeout' : 'payment_failed', reason, payMs };
}

/** Whether `preimageHex` hashes (sha256) to `paymentHashHex`. */
export function preimageMatches(preimageHex: string, paymentHashHex: string): boolean {
  try {
    return bytesToHex(sha256(hexToBytes(preimageHex.toLowerCase()))) === paymentHashHex.toLowerCase();
  } catch {
    return false;
  }
}
