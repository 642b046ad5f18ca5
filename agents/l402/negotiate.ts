/**
 * The negotiation stage, between offer and authorize: with a seller whose
 * paywall negotiates, bid below the posted price for a bounded number of
 * rounds (see docs/l402.md, "Price negotiation"), and come back with the
 * offer for the agreed price, checked like any other and held to the terms
 * of the offer it was negotiated from (agreed-terms.ts). The buyer's
 * negotiator proposes; this stage filters every proposal: a bid or a taken
 * price never exceeds the limit (posted price, the caller's ceiling, the
 * task's value), whoever proposed it. Seller answers are untrusted: read
 * with a size limit and a timeout, validated with a schema. A bid refused
 * with 403 `no_deal` (the seller refuses, or its rounds are used), 429 (the
 * seller rate-limits its negotiator) or 503 `negotiation_unavailable` (its
 * negotiator failed) ends the bidding at once, never waited out nor retried:
 * see `canTakeCounter`. With a limit under 1 msat nothing is bid.
 */
import { modelErrorName } from '../../infra/llm/model-errors.js';
import { terminalSafe } from '../../infra/terminal-text.js';
import { DeadlineError, withDeadline } from '../../infra/time/deadline.js';
import { bodyTime, type EngineContext, type StepFailure } from './context.js';
import { agreedOffer } from './agreed-terms.js';
import { readCounter, refusalOf, withBid } from './bid-answer.js';
import type { AdvertisedPrice, Offer } from './offer.js';
import { send } from './send.js';
import type { PurchaseHints } from './outcome.js';
import { readPaywallAnswer } from './paywall-response.js';

export { BID, OFFER } from './bid-answer.js';

/** Most bids the buyer sends in one negotiation, whatever its negotiator asks. */
export const MAX_BUYER_ROUNDS = 8;

/** What the buyer's negotiator sees before each bid. */
export interface BuyerTurn {
  /** The seller's posted price (the first offer's invoice amount). */
  postedMsat: number;
  /** The seller's standing offer: the posted price, then its last counter. */
  askMsat: number;
  /** The most this purchase may cost: bids and takes above it are cut to it or refused. */
  limitMsat: number;
  /** 0 before the first bid. */
  round: number;
  /** The buyer's earlier bids and the seller's counters, in order. */
  bids: number[];
  counters: number[];
  /** The seller's last message: its own words, untrusted, at most 200 characters. */
  sellerNote?: string;
  /**
   * The rounds the seller says its last counter left (untrusted): at 0 it refuses any bid below
   * its standing offer, which can still be taken. Absent before a counter or when it did not say.
   */
  roundsLeft?: number;
}

/** The negotiator's move: bid a price, take the standing offer, or walk away. */
export type BuyerMove =
  { kind: 'bid'; bidMsat: number } | { kind: 'take' } | { kind: 'walk'; reason: string };

/** Proposes the buyer's moves. */
export interface BuyerNegotiator {
  readonly name: string;
  /**
   * The next move. An asynchronous one (a model) gets the engine's
   * `requestTimeoutMs`, after which `signal` aborts and the negotiation ends
   * as `no_agreement`; a throw ends it the same way.
   */
  next(turn: BuyerTurn, signal?: AbortSignal): BuyerMove | Promise<BuyerMove>;
}

/** How a negotiation went, for the purchase record. */
export interface NegotiationRecord {
  /**
   * `not_offered`: the seller answered a bid with its ordinary 402 (it does not negotiate).
   * `rate_limited`: the seller refused a bid with 429 and no counter could be taken: the posted offer goes on.
   * `unavailable`: the same after a 503 `negotiation_unavailable` (the seller's negotiator failed or was late).
   * `refused`: the same after a 403 `no_deal` (the seller refused the bid, or its rounds were used).
   */
  result: 'agreed' | 'no_agreement' | 'not_offered' | 'rate_limited' | 'unavailable' | 'refused';
  postedMsat: number;
  agreedMsat?: number;
  /** Bids sent. */
  rounds: number;
  /** The seller's code of the 403, 429 or 503 that ended the bidding (`no_deal`, `bid_rate_limited`, `negotiation_unavailable`; `rate_limited` when a 429 gave none). */
  refusal?: string;
}

/** The stage's answer: the offer to authorize (agreed, or the original when the seller does not negotiate), or a failure. */
export type Negotiated =
  | { ok: true; offer: Offer; negotiation: NegotiationRecord }
  | (StepFailure & { negotiation: NegotiationRecord });

/**
 * One negotiation over `offer`'s request; see the file comment. `advertised`
 * (the listing's price of a tier) bounds the agreed challenge as it bounded
 * the offer.
 */
export async function negotiateOffer(
  ctx: EngineContext,
  offer: Offer,
  negotiator: BuyerNegotiator,
  hints: PurchaseHints,
  advertised?: AdvertisedPrice,
): Promise<Negotiated> {
  const posted = offer.amountMsat;
  const limit = Math.min(posted, ...[hints.maxPriceMsat, hints.taskValueMsat].filter(isNum));
  const turn: BuyerTurn = {
    postedMsat: posted,
    askMsat: posted,
    limitMsat: limit,
    round: 0,
    bids: [],
    counters: [],
  };
  // The seller's code once a bid was refused (403, 429, 503): no more bids, only the take of the standing counter.
  let limited: string | undefined;
  const record = (result: NegotiationRecord['result'], agreedMsat?: number): NegotiationRecord => ({
    result,
    postedMsat: posted,
    rounds: turn.bids.length,
    ...(agreedMsat !== undefined ? { agreedMsat } : {}),
    ...(limited !== undefined ? { refusal: limited } : {}),
  });
  const noDeal = (reason: string, outcome: StepFailure['outcome'] = 'no_agreement'): Negotiated => ({
    ok: false,
    outcome,
    reason,
    status: 402,
    negotiation: record('no_agreement'),
  });
  // A limit of 0 (a value or ceiling that leaves nothing) is no bid of 0: nothing is sent.
  if (!(limit >= 1)) return noDeal(`the limit of ${limit} msat leaves no price to bid`);
  let standing: string | undefined;
  for (; turn.round < MAX_BUYER_ROUNDS; turn.round++) {
    const move = limited ? TAKE : await nextMove(ctx, negotiator, turn);
    if (move && typeof move === 'object' && 'failed' in move) return noDeal(move.failed);
    const bid = filtered(move, turn);
    if ('walk' in bid) return noDeal(bid.walk);
    turn.bids.push(bid.msat);
    const sent = await send(ctx, withBid(offer.req, bid.msat, standing));
    if (!sent.ok) return { ...sent, negotiation: record('no_agreement') };
    const res = sent.response;
    const ended = REFUSALS[res.status];
    if (ended) {
      const code = await refusalOf(res, bodyTime(ctx));
      // A 503 is the negotiator's only when the seller says so; any other is the seller failing.
      if (res.status === 503 && code !== 'negotiation_unavailable')
        return noDeal(`unexpected answer to a bid: HTTP 503${code ? ` ${code}` : ''}`, 'seller_error');
      if (res.status === 403 && code !== 'no_deal')
        return noDeal(`the seller refused a bid of ${bid.msat} msat`);
      const again = limited !== undefined;
      limited = code ?? 'rate_limited';
      if (again || !canTakeCounter(turn, standing)) return { ok: true, offer, negotiation: record(ended) };
      continue;
    }
    if (res.status === 402 && res.headers.get('www-authenticate')) {
      const answer = await readPaywallAnswer(res, bodyTime(ctx));
      // A seller that does not negotiate ignores the bid: its ordinary offer stands.
      if (answer.reason !== 'offer_accepted') return { ok: true, offer, negotiation: record('not_offered') };
      return agreedOffer(ctx, offer, answer, { msat: bid.msat, hints, advertised }, record);
    }
    const counter = res.status === 402 ? await readCounter(res, bodyTime(ctx)) : undefined;
    if (!counter) {
      // Any other answer is not read: its body is cancelled, not left holding the connection.
      if (res.status !== 402) await res.body?.cancel().catch(() => {});
      return noDeal(`unexpected answer to a bid: HTTP ${res.status}`, 'seller_error');
    }
    // A counter above the standing offer is ignored: the seller cannot raise what it offered.
    turn.askMsat = Math.min(turn.askMsat, counter.priceMsat);
    turn.counters.push(counter.priceMsat);
    turn.sellerNote = counter.note;
    turn.roundsLeft = counter.roundsLeft;
    standing = counter.offer;
  }
  return noDeal(`no agreement after ${MAX_BUYER_ROUNDS} bids`);
}

const TAKE: BuyerMove = { kind: 'take' };

/** The refusals that end the bidding, and the result when no counter is taken after them. */
const REFUSALS: Partial<Record<number, NegotiationRecord['result']>> = {
  403: 'refused',
  429: 'rate_limited',
  503: 'unavailable',
};

/**
 * After a 403 `no_deal`, a 429 or a 503 `negotiation_unavailable` the buyer bids no more (no waiting, no
 * loop): it takes a standing counter within its limit, which the seller answers without asking its
 * negotiator (a take is never rate-limited nor out of rounds), when a round is left to send it; else
 * the posted offer goes on to authorize, as with a seller that does not negotiate. Either way at most
 * one offer is paid.
 */
function canTakeCounter(turn: BuyerTurn, standing: string | undefined): boolean {
  return standing !== undefined && turn.askMsat <= turn.limitMsat && turn.round + 1 < MAX_BUYER_ROUNDS;
}

/**
 * The negotiator's next move on a copy of the turn, within `requestTimeoutMs`.
 * Nothing is paid during a negotiation: a negotiator that throws (a model's
 * 500) or stalls is walking away, named by its error's class, never its text.
 * Not async: a rule's move is awaited once, as before (the simulator's
 * interleaving counts microtask turns).
 */
function nextMove(
  ctx: EngineContext,
  negotiator: BuyerNegotiator,
  turn: BuyerTurn,
): BuyerMove | { failed: string } | Promise<BuyerMove | { failed: string }> {
  const failure = (err: unknown) => {
    const why = modelErrorName(err);
    return { failed: err instanceof DeadlineError ? why : `the negotiator failed (${why})` };
  };
  try {
    const move = withDeadline(
      (signal) => negotiator.next({ ...turn, bids: [...turn.bids], counters: [...turn.counters] }, signal),
      ctx.requestTimeoutMs,
      'the negotiator',
    );
    return move instanceof Promise ? move.catch(failure) : move;
  } catch (err) {
    return failure(err);
  }
}

/**
 * The negotiator's move through the buyer's filter: a whole msat in [1, limit]; a take of an ask above the limit is
 * a walk; a walk's reason (any negotiator's words) is cut to 200 characters, unsafe ones escaped (`terminalSafe`).
 */
function filtered(move: BuyerMove, turn: BuyerTurn): { msat: number } | { walk: string } {
  if (move?.kind === 'walk') return { walk: `walked away: ${terminalSafe(String(move.reason), 200)}` };
  if (move?.kind === 'take') {
    if (turn.askMsat > turn.limitMsat)
      return { walk: `the seller's ${turn.askMsat} msat is above the limit of ${turn.limitMsat} msat` };
    return { msat: turn.askMsat };
  }
  const bid = move?.kind === 'bid' && Number.isFinite(move.bidMsat) ? Math.floor(move.bidMsat) : NaN;
  if (!(bid >= 1)) return { walk: 'the negotiator proposed no valid bid' };
  return { msat: Math.min(bid, turn.limitMsat) };
}

function isNum(v: number | undefined): v is number {
  return v !== undefined;
}
