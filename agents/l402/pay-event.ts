import type { Payment } from '../../infra/lightning/node.js';
import type { EngineContext } from './context.js';
import type { Offer } from './offer.js';
import type { PreparedRequest } from './request.js';

/** What a `pay` event says of a payment: when it began, how long its fate took, and, `ok`, what left the node. */
export interface PayReport {
  atMs: number;
  durationMs: number;
  ok: boolean;
  amountMsat: number;
  feeMsat: number;
  hops: number;
  paymentHash: string;
  failure?: string;
}

/** Reports the `pay` step of a payment for `req` (paying, and recovery completing one). */
export function emitPay(ctx: EngineContext, req: PreparedRequest, r: PayReport): void {
  const { atMs, durationMs, ok, amountMsat, feeMsat, hops, paymentHash, failure } = r;
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
  ctx.emit(failure ? { ...e, failure } : e, req);
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
