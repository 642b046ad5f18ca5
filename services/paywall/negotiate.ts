/**
 * Price negotiation on a paid route, statelessly. A request without a
 * credential that carries `L402-Bid: <msat>` (and, after the first round,
 * the seller's last `L402-Offer`) is a bid:
 *
 * - bid >= the standing offer (or the negotiator accepts): a 402 challenge
 *   whose invoice is for the agreed price and whose macaroon carries
 *   `<service>_price=<agreed>`, plus the accepted offer in `L402-Offer`;
 * - a counter: 402 without a challenge, the counter price in the body and
 *   its signed offer in `L402-Offer` (no invoice is made for a counter);
 * - a refusal, or a bid after the last round below the standing offer: 403
 *   `no_deal`. A standing offer can still be taken until it expires;
 * - a bid that would ask the negotiator more often than `negotiatorRate`
 *   allows: 429 `bid_rate_limited` with `Retry-After`, the negotiator not
 *   asked (a model's reply is a paid call; taking an offer is never limited).
 *
 * The negotiator sees a bid's prices per call of its tier (per-call.ts), so
 * its floor per call holds for a bundle or a pass too.
 *
 * Rounds are counted in the MACed offer, never in server memory. Taking the
 * standing offer is not a round: it is re-issued as it was, same round and
 * same expiry, so taking it again never renews it. A new offer expires
 * `offerLifetimeMs` after it is made, the clock read once the negotiator has
 * answered (a slow reply never sends an offer already expired). A token can
 * be presented many times, so rounds bound one chain of offers (and its
 * lifetime, at most `maxRounds` × (offer lifetime + reply time) from its
 * first bid), not the number of bids.
 */
import type { Context } from 'hono';
import { caveats } from '../../infra/l402/index.js';
import { modelErrorName, redactSecrets } from '../../infra/llm/model-errors.js';
import { DeadlineError, withDeadline } from '../../infra/time/deadline.js';
import { challengeResponse, issueChallenge, priceOf } from './challenge.js';
import { BID_HEADER, OFFER_HEADER, type NegotiationTurn, type SellerReply } from './negotiation-types.js';
import { signOffer, verifyOffer, type OfferTerms } from './offer-token.js';
import type { ResolvedTier } from './tier.js';
import { perCallTurn, tierReply } from './per-call.js';
import { retryAfterSec } from './rate-limiter.js';
import { emit, pickTier, refuse, unavailable } from './respond.js';
import type { PaywallState } from './state.js';

const UINT_RE = /^\s*[1-9][0-9]{0,15}\s*$/;

/** True when the request is a bid this paywall should answer. */
export function isBid(p: PaywallState, c: Context): boolean {
  return p.negotiation !== undefined && c.req.header(BID_HEADER) !== undefined;
}

/** Answers one bid: an agreed challenge, a counter, a refusal, or a 400 naming what is wrong. */
export async function answerBid(p: PaywallState, c: Context): Promise<Response> {
  const n = p.negotiation!;
  const tier = pickTier(p, c);
  if ('error' in tier) return tier.error;
  const rawBid = c.req.header(BID_HEADER) ?? '';
  if (!UINT_RE.test(rawBid))
    return refuse(p, c, 400, 'bad_bid', `${BID_HEADER} must be a positive integer msat, got ${show(rawBid)}`);
  const bidMsat = Number(rawBid);
  let standing: OfferTerms | undefined;
  const rawOffer = c.req.header(OFFER_HEADER);
  if (rawOffer !== undefined) {
    const v = verifyOffer(n.offerKey, rawOffer, {
      service: p.service,
      tier: tier.tier,
      nowMs: p.clock.now(),
    });
    if (!v.ok) return refuse(p, c, 400, v.problem === 'expired' ? 'offer_expired' : 'bad_offer', v.message);
    standing = v.terms;
  }
  const posted = await priceOf(tier, c, p.load);
  if (!posted.ok) return unavailable(p, c, posted.reason, posted.message);
  const askMsat = standing ? Math.min(standing.priceMsat, posted.priceMsat) : posted.priceMsat;
  // Taking the standing offer: the same offer again (its round, its expiry), never a renewed one.
  if (bidMsat >= askMsat)
    return agreed(p, c, tier, askMsat, standing ?? { round: 0, expiresAtMs: expiry(p) });
  const round = standing ? standing.round + 1 : 0;
  if (round >= n.maxRounds)
    return refuse(
      p,
      c,
      403,
      'no_deal',
      `all ${n.maxRounds} rounds are used; the standing offer of ${askMsat} msat holds until it expires`,
    );
  const limited = overRate(p, c, askMsat);
  if (limited) return limited;
  const turn = { tier: tier.tier, postedMsat: posted.priceMsat, askMsat, bidMsat, round };
  const reply = await askNegotiator(p, perCallTurn(turn, tier.pricedCalls));
  if (!reply.ok) return unavailable(p, c, 'negotiation_unavailable', reply.message);
  const r = tierReply(reply.reply, tier.pricedCalls);
  if (r.kind === 'refuse') return refuse(p, c, 403, 'no_deal', `the seller refuses: ${show(r.reason)}`);
  // The protocol's bounds, whatever the negotiator said: never above the standing offer, and a
  // counter at or below the bid is the bid accepted.
  if (r.kind === 'accept' || r.priceMsat <= bidMsat)
    return agreed(p, c, tier, bidMsat, { round, expiresAtMs: expiry(p) });
  return counter(p, c, tier, Math.min(r.priceMsat, askMsat), round);
}

/** When an offer made now expires: the clock read as it is made, after any wait for the negotiator. */
function expiry(p: PaywallState): number {
  return p.clock.now() + p.negotiation!.offerLifetimeMs;
}

/**
 * Takes one negotiator call from the paywall's bucket (one for all bidders: a bid carries no
 * identity), or answers 429 `bid_rate_limited` with `Retry-After` in whole seconds. Only bids that
 * would ask the negotiator reach it: a take, a bad bid or a spent chain never costs a call.
 */
function overRate(p: PaywallState, c: Context, askMsat: number): Response | undefined {
  const n = p.negotiation!;
  const d = n.limiter?.take(p.service);
  if (!d || d.ok) return undefined;
  const sec = retryAfterSec(d.retryAfterMs);
  const { calls, perMs } = n.rate!;
  const per = perMs % 1000 === 0 ? `${perMs / 1000} s` : `${perMs} ms`;
  const message = `this seller's negotiator answers at most ${calls} bid${calls === 1 ? '' : 's'} per ${per}; bid again in ${sec} s, or take the standing offer of ${askMsat} msat now by bidding it`;
  return refuse(p, c, 429, 'bid_rate_limited', message, { 'Retry-After': String(sec) });
}

/**
 * Calls the seller's negotiator; a throw, a late or a malformed reply is the seller's fault (503), never a
 * price. The bidder hears a fixed message; what went wrong is logged here, credentials redacted (a
 * provider's error text can echo its API key). A late model call is aborted, not left running.
 */
async function askNegotiator(
  p: PaywallState,
  t: Omit<NegotiationTurn, 'service' | 'maxRounds'>,
): Promise<{ ok: true; reply: SellerReply } | { ok: false; message: string }> {
  const n = p.negotiation!;
  let r: SellerReply;
  try {
    // A rule answers at once; a model gets `replyTimeoutMs`, never an open-ended wait.
    const pending = withDeadline(
      (signal) => n.negotiator.reply({ service: p.service, maxRounds: n.maxRounds, ...t }, signal),
      n.replyTimeoutMs,
      "the seller's negotiator",
    );
    r = pending instanceof Promise ? await pending : pending;
  } catch (err) {
    const late = err instanceof DeadlineError;
    p.logger.warn(
      {
        service: p.service,
        error: modelErrorName(err),
        detail: redactSecrets(String((err as Error)?.message)),
      },
      'seller negotiator failed',
    );
    return { ok: false, message: late ? err.message : "the seller's negotiator is unavailable" };
  }
  const ok =
    r?.kind === 'accept' ||
    (r?.kind === 'refuse' && typeof r.reason === 'string') ||
    (r?.kind === 'counter' && Number.isSafeInteger(r.priceMsat) && r.priceMsat > 0);
  return ok ? { ok: true, reply: r } : { ok: false, message: "the seller's negotiator gave no valid reply" };
}

/** A 402 challenge at the agreed price, its macaroon carrying the price caveat; `L402-Offer` the agreed offer, in `made`'s round, until its expiry. */
async function agreed(
  p: PaywallState,
  c: Context,
  tier: ResolvedTier,
  priceMsat: number,
  made: Pick<OfferTerms, 'round' | 'expiresAtMs'>,
): Promise<Response> {
  const ch = await issueChallenge(p.issue, tier, priceMsat, false, [caveats.price(p.service, priceMsat)]);
  if (!ch.ok) return unavailable(p, c, ch.reason, ch.message);
  emit(p, c, {
    type: 'challenge',
    reason: 'offer_accepted',
    status: 402,
    tier: tier.tier,
    priceMsat,
    paymentHash: ch.paymentHash,
    tokenId: ch.tokenId,
  });
  const res = challengeResponse(c, ch, {
    service: p.service,
    reason: 'offer_accepted',
    message: `agreed at ${priceMsat} msat in round ${made.round}`,
    payOnSuccess: false,
    tiers: p.tiers,
  });
  res.headers.set(OFFER_HEADER, offerFor(p, tier, priceMsat, made));
  return res;
}

/** A counter-offer: 402 with no invoice, the counter price in the body and its signed offer. */
function counter(
  p: PaywallState,
  c: Context,
  tier: ResolvedTier,
  priceMsat: number,
  round: number,
): Response {
  const n = p.negotiation!;
  const body = {
    error: 'payment_required',
    reason: 'counter_offer',
    message: `the seller offers ${priceMsat} msat; bid that with ${OFFER_HEADER} to take it`,
    priceMsat,
    service: p.service,
    tier: tier.tier,
    round,
    roundsLeft: n.maxRounds - 1 - round,
    offerExpiresAtMs: expiry(p),
  };
  return c.json(body, 402, {
    [OFFER_HEADER]: offerFor(p, tier, priceMsat, { round, expiresAtMs: body.offerExpiresAtMs }),
    'Cache-Control': 'no-store',
  });
}

/** The signed offer: this service and tier at `priceMsat`, in `made`'s round, until its expiry. */
function offerFor(
  p: PaywallState,
  tier: ResolvedTier,
  priceMsat: number,
  made: Pick<OfferTerms, 'round' | 'expiresAtMs'>,
): string {
  return signOffer(p.negotiation!.offerKey, { service: p.service, tier: tier.tier, priceMsat, ...made });
}

/** A short, printable rendering of untrusted text for messages. */
function show(s: string): string {
  return JSON.stringify(s.slice(0, 80));
}
