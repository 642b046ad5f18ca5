/**
 * A negotiator's floor is a price per call, while a bid buys a whole tier: a
 * single call, a bundle of N calls, a time pass. The paywall therefore shows its
 * negotiator every price per call of the tier bid on (the tier's `pricedCalls`)
 * and scales its reply back to the tier, so a negotiator that never looks at
 * the tier still sells no call of a bundle or a pass below its floor. Rounding
 * favours the seller: the prices it asks are rounded up, the buyer's bid down.
 * A tier of one call is shown as it is.
 */
import type { NegotiationTurn, SellerReply } from './negotiation-types.js';

/** A turn at the tier's prices, before `perCallTurn`. */
export type TierTurn = Omit<NegotiationTurn, 'calls' | 'service' | 'maxRounds'>;

/** The turn the negotiator is asked: `t`'s prices per call of a tier priced for `calls` calls. */
export function perCallTurn(t: TierTurn, calls: number): Omit<NegotiationTurn, 'service' | 'maxRounds'> {
  return {
    ...t,
    calls,
    postedMsat: Math.ceil(t.postedMsat / calls),
    askMsat: Math.ceil(t.askMsat / calls),
    bidMsat: Math.floor(t.bidMsat / calls),
  };
}

/**
 * A reply to a per-call turn at the tier's prices: an acceptance stays one (the paywall agrees at
 * the buyer's bid, at least the accepted per-call price times `calls`), a counter is times `calls`.
 */
export function tierReply(r: SellerReply, calls: number): SellerReply {
  return r.kind === 'counter' ? { kind: 'counter', priceMsat: r.priceMsat * calls } : r;
}
