import type { Payment, PaymentFailureReason, PayOptions } from '../../infra/lightning/node.js';
import type { PaymentPolicy, Reservation } from '../policies/index.js';
import type { EngineContext, StepFailure } from './context.js';
import { sendWithToken } from './delivery.js';
import { sendHeldCall, type HeldPurchase } from './held-call.js';
import type { Offer } from './offer.js';
import { outcomeOfPaymentFailure } from './outcome.js';
import { neverStarted, payEmitter } from './pay-event.js';
import { provenPaid } from './proof.js';
import { endBeforeSending, sendOnce, type Earlier } from './send-once.js';
import { writeAfterPaying, type StoredToken } from './token-store.js';

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
 * A hash the node paid before is not paid nor charged again, nor one whose lookup
 * the node did not answer (`sendOnce`, `endBeforeSending`).
 */
export async function payOffer(ctx: EngineContext, grant: Grant): Promise<PaidOffer | PayFailure> {
  const opts = payOptions(ctx, grant.offer);
  const at = ctx.clock.now();
  const pending = pendingToken(grant.offer, at);
  return sendOnce(ctx, grant.offer.paymentHash, async (earlier) => {
    const ended = await beforeSending(ctx, grant, pending, earlier, at);
    if (ended) return ended;
    const { payment, thrown } = await payInvoice(ctx, grant.offer, opts);
    return finishPayment(ctx, grant, pending, payment, thrown, at);
  });
}

/**
 * A failed payment step. `payMs`: how long this purchase's own payment took (its `pay` event's
 * duration); absent when the purchase began none (an earlier payment for the token's scope was in
 * flight: `earlierInFlight`). `notStarted`: the payment never started, its node never took it up:
 * the purchase ended it before asking the node (`endBeforeSending`, a pending token the store could
 * not keep, an earlier payment in flight), or the node's pay call threw and the node has no record of
 * it; nothing of it left the node (purchases.csv `failure` `not_started`: no payment tried).
 * `unresolved`: the payment's fate is unknown (still in flight, or a success whose preimage does not
 * open the hash); its token stays pending and the grant's money stays held until recovery learns it.
 */
export type PayFailure = StepFailure & {
  payMs?: number;
  payment?: Payment;
  notStarted?: true;
  unresolved?: true;
};

function pendingToken(offer: Offer, at: number): StoredToken {
  return {
    origin: offer.req.origin,
    pathPrefix: offer.limits.pathPrefix ?? offer.req.path,
    macaroon: offer.macaroon,
    scheme: offer.challenge.scheme,
    paymentHash: offer.paymentHash,
    state: 'pending',
    invoice: offer.challenge.invoice,
    amountMsat: offer.amountMsat,
    createdAt: at,
    validUntilMs: offer.limits.validUntilMs,
    maxCalls: offer.limits.maxCalls,
    callsUsed: 0,
    // The service it was bought for, whose caveats its limits are (what reuse and attenuating it read), else the caller's name.
    service: offer.limits.service ?? offer.service,
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
 * What ends a payment before its send (`undefined`: send it): an earlier payment of the hash, a
 * lookup the node did not answer (`endBeforeSending`), or a pending token the store could not keep.
 */
async function beforeSending(
  ctx: EngineContext,
  grant: Grant,
  pending: StoredToken,
  earlier: Earlier,
  at: number,
): Promise<PaidOffer | PayFailure | undefined> {
  return (await endBeforeSending(ctx, grant, pending, earlier, at)) ?? storePending(ctx, grant, pending, at);
}

/**
 * Stores the token as pending, the record that lets recovery find the payment. A store that
 * fails to keep it (a full disk, a directory gone) ends the payment before its send: nothing
 * was paid, the grant's money is released and the purchase fails `payment_failed`.
 */
async function storePending(
  ctx: EngineContext,
  { offer, reservation, policy }: Grant,
  pending: StoredToken,
  at: number,
): Promise<PayFailure | undefined> {
  try {
    await ctx.tokens.put(pending);
    return undefined;
  } catch (err) {
    policy.release(reservation);
    // Kept in memory though not stored: dropped, nothing was paid for it (the store may fail this too).
    await ctx.tokens.evict(pending.origin, pending.pathPrefix, pending.paymentHash).catch(() => {});
    const reason =
      `payment never started: the token store could not keep the pending token of payment ${offer.paymentHash} ` +
      `(${(err as Error)?.message ?? err}); nothing was paid: make the token store writable ` +
      '(a token file: its directory) and buy again';
    return neverStarted(ctx, offer, at, 'payment_failed', reason);
  }
}

/**
 * Pays; when the node throws or refuses in a way that may hide a payment, the payment is looked
 * up by hash. It had no record before the send (`sendOnce`; with no answer nothing is sent): a
 * record found now is this send's.
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
 * (delivered: we learn the preimage) or cancels (we are refunded). A seller
 * that cannot answer yet (a 503 that keeps the hold) gets the same retry again,
 * a few times, while the payment is in flight (`sendHeldCall`); the invoice is
 * paid once. A payment ended before its send sends no call either: no `consumeMs`.
 */
export async function payOnDelivery(ctx: EngineContext, grant: Grant): Promise<HeldPurchase> {
  const { offer } = grant;
  const opts = payOptions(ctx, offer);
  const at = ctx.clock.now();
  const pending = pendingToken(offer, at);
  return sendOnce(ctx, offer.paymentHash, async (earlier) => {
    const ended = await beforeSending(ctx, grant, pending, earlier, at);
    if (ended && !ended.ok)
      return { paid: ended, delivery: { kind: 'failed', outcome: ended.outcome, reason: ended.reason } };
    if (ended) {
      const delivery = await sendWithToken(ctx, offer.req, ended.token, 'consume');
      return { paid: ended, delivery, consumeMs: ctx.clock.now() - at };
    }
    const paying = payInvoice(ctx, offer, opts);
    const [{ payment, thrown }, delivery] = await Promise.all([paying, sendHeldCall(ctx, offer, paying)]);
    const consumeMs = ctx.clock.now() - at;
    const paid = await finishPayment(ctx, grant, pending, payment, thrown, at);
    return { paid, delivery, consumeMs, keyless: true };
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
    await writeAfterPaying(ctx.tokens.put(token), ctx.logger, 'a paid token');
    emitPay(true, payment);
    return { ok: true, token, payment, payMs };
  }
  if (payment === undefined || payment.status === 'failed') {
    policy.release(reservation);
    const dropped = ctx.tokens.evict(pending.origin, pending.pathPrefix, pending.paymentHash);
    await writeAfterPaying(dropped, ctx.logger, "the drop of a failed payment's token");
    // The node's pay call threw and the node has no record of the payment: it never took it up.
    if (!payment)
      return neverStarted(
        ctx,
        offer,
        at,
        'payment_failed',
        `payment never started: ${(thrown as Error)?.message ?? thrown}`,
      );
    const { failure } = payment;
    const reason = failure
      ? `${failure.reason}: ${failure.message}`
      : 'the node failed the payment and gave no reason';
    emitPay(false, payment, reason);
    const outcome = failure ? outcomeOfPaymentFailure(failure.reason) : 'payment_failed';
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
