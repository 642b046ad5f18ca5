import type { Payment } from '../../infra/lightning/node.js';
import type { EngineContext } from './context.js';
import type { Offer } from './offer.js';
import type { PayFailure } from './payment.js';
import type { PreparedRequest } from './request.js';

/**
 * What a `pay` event says of a payment: when it began, how long its fate took, and, `ok`, what left the node.
 * `notStarted`: a failed payment its node never took up (`PayFailure`), so nothing of it left the node.
 */
export interface PayReport {
  atMs: number;
  durationMs: number;
  ok: boolean;
  amountMsat: number;
  feeMsat: number;
  hops: number;
  paymentHash: string;
  failure?: string;
  notStarted?: true;
}

/** Reports the `pay` step of a payment for `req` (paying, and recovery completing one). */
export function emitPay(ctx: EngineContext, req: PreparedRequest, r: PayReport): void {
  const { atMs, durationMs, ok, amountMsat, feeMsat, hops, paymentHash, failure, notStarted } = r;
  const url = req.url.href;
  const e = {
    atMs,
    durationMs,
    url,
    buyer: ctx.buyer,
    step: 'pay' as const,
    ok,
    amountMsat,
    feeMsat,
    hops,
    paymentHash,
  };
  ctx.emit({ ...e, ...(failure ? { failure } : {}), ...(notStarted ? { notStarted } : {}) }, req);
}

/** Reports paying `offer`, begun at `at`: what left the node when `ok`; otherwise the offer's amount and why not. */
export function payEmitter(ctx: EngineContext, offer: Offer, at: number, payMs: number) {
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

/**
 * Ends the payment of `offer`, begun at `at`, before its node took it up (`PayFailure.notStarted`):
 * reported as a failed `pay` event marked `notStarted`; nothing was paid.
 */
export function neverStarted(
  ctx: EngineContext,
  offer: Offer,
  at: number,
  outcome: PayFailure['outcome'],
  reason: string,
): PayFailure {
  const payMs = ctx.clock.now() - at;
  emitPay(ctx, offer.req, {
    atMs: at,
    durationMs: payMs,
    ok: false,
    amountMsat: offer.amountMsat,
    feeMsat: 0,
    hops: 0,
    paymentHash: offer.paymentHash,
    failure: reason,
    notStarted: true,
  });
  return { ok: false, outcome, reason, payMs, notStarted: true };
}
