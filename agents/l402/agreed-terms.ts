/**
 * The end of a negotiation: the seller's agreed challenge, checked as an
 * offer and held to the offer the buyer negotiated from. A negotiation
 * changes the price, nothing else: the agreed token must sell the same
 * service and tier, the same calls, methods, capabilities and path prefix,
 * and last at least as long. Otherwise the buyer would pay a bid worked out
 * for one token (ten calls, say) for another (one call): refused as
 * `terms_changed` with nothing paid, the reason naming the term.
 */
import type { TokenLimits } from '../../infra/l402/index.js';
import type { EngineContext } from './context.js';
import type { Negotiated, NegotiationRecord } from './negotiate.js';
import { makeOffer, type AdvertisedPrice, type Offer } from './offer.js';
import type { PurchaseHints } from './outcome.js';
import type { PaywallAnswer } from './paywall-response.js';

/**
 * The agreed challenge as an offer: checked like any other (the listing's
 * advertised price of its tier too, through `advertised`), its invoice for
 * at most the bid and exactly its price caveat, its token for the terms of
 * `original`.
 */
export async function agreedOffer(
  ctx: EngineContext,
  original: Offer,
  answer: PaywallAnswer,
  bid: { msat: number; hints: PurchaseHints; advertised?: AdvertisedPrice },
  record: (r: NegotiationRecord['result'], agreed?: number) => NegotiationRecord,
): Promise<Negotiated> {
  const hints = { ...bid.hints, maxPriceMsat: bid.msat };
  const made = await makeOffer(ctx, original.req, answer, hints, original.quotedAt, bid.advertised);
  if (!made.ok) return { ...made, negotiation: record('no_agreement') };
  const price = made.offer.amountMsat;
  const refused = (rejection: 'price_mismatch' | 'terms_changed', reason: string): Negotiated => ({
    ok: false,
    outcome: 'invoice_rejected',
    rejection,
    reason,
    status: 402,
    quotedMsat: price,
    negotiation: record('no_agreement'),
  });
  if (made.offer.limits.priceMsat !== price)
    return refused(
      'price_mismatch',
      `the agreed token's price caveat (${made.offer.limits.priceMsat ?? 'none'}) is not its invoice amount ${price} msat`,
    );
  const changed = changedTerm(original.limits, made.offer.limits);
  if (changed)
    return refused(
      'terms_changed',
      `the seller agreed to ${price} msat but changed the token: ${changed}; nothing was paid: buy at the posted offer or from another seller`,
    );
  return { ok: true, offer: made.offer, negotiation: record('agreed', price) };
}

/**
 * The first term in which the agreed token differs from the negotiated
 * offer's, in words (undefined when none does). Validity is compared as an
 * instant: the agreed token must end no earlier than the offer's would have
 * (a later one, or none, is fine). Its remaining lifetime is not compared:
 * `*_valid_until` has whole seconds, so a token minted a moment later at the
 * same lifetime can have a few hundred ms less left.
 */
export function changedTerm(offered: TokenLimits, agreed: TokenLimits): string | undefined {
  const services = (l: TokenLimits) => l.services.map((s) => `${s.name}:${s.tier}`).join(',') || 'none';
  if (services(agreed) !== services(offered))
    return `it is for services ${services(agreed)}, not the offer's ${services(offered)}`;
  if (agreed.maxCalls !== offered.maxCalls)
    return `it allows ${calls(agreed.maxCalls)}, not the offer's ${calls(offered.maxCalls)}`;
  const list = (v: string[] | undefined) => (v ? [...v].sort().join(',') : 'any');
  if (list(agreed.methods) !== list(offered.methods))
    return `its methods are ${list(agreed.methods)}, not the offer's ${list(offered.methods)}`;
  if (list(agreed.capabilities) !== list(offered.capabilities))
    return `its capabilities are ${list(agreed.capabilities)}, not the offer's ${list(offered.capabilities)}`;
  if (agreed.pathPrefix !== offered.pathPrefix)
    return `its path prefix is ${agreed.pathPrefix ?? 'none'}, not the offer's ${offered.pathPrefix ?? 'none'}`;
  return shorterValidity(offered.validUntilMs, agreed.validUntilMs);
}

/** Why the agreed token's `*_valid_until` ends before the offer's (undefined when it does not). */
function shorterValidity(offered: number | undefined, agreed: number | undefined): string | undefined {
  if (agreed === undefined || (offered !== undefined && agreed >= offered)) return undefined;
  const at = new Date(agreed).toISOString();
  return offered === undefined
    ? `it expires at ${at}, while the offer's token does not expire`
    : `it expires at ${at}, before the offer's ${new Date(offered).toISOString()}`;
}

function calls(n: number | undefined): string {
  return n === undefined ? 'unlimited calls' : `${n} call${n === 1 ? '' : 's'}`;
}
