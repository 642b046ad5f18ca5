import { sellerCode, takeRecovered, type RecoveredCost, type StoredToken } from '../l402/index.js';
import type { BuyerDeps } from './deps.js';
import { buildPurchase, type PurchaseFields } from './purchase-record.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';
import type { ListedOffer } from './types.js';

/**
 * Calls the service with the token (the engine's deliver stage); a refused token drops the seller for this task.
 * A held token whose payment recovery completed after the task that paid ended (its fate was unknown then,
 * `payment_unknown`) is recorded at its first use as the purchase that paid: its cost in the purchase's
 * `paidMsat` and `feeMsat` and in this task's `spentMsat` and `feesMsat`, so what left the node is counted once.
 */
export function consumeNode(d: BuyerDeps) {
  const { clock, engine } = d;
  return async function consume(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.offers[s.chosen!]!;
    const token = q.token!;
    // A held token's call is claimed now, checked and counted in one step: the look that made it an offer
    // came before awaits (the decider) in which this buyer's other tasks may have taken its last call.
    if (!q.claimed && !engine.claim(token)) return noCallLeft(d, s, q, at);
    const late = q.fresh ? undefined : takeRecovered(engine.tokens, token.paymentHash);
    const delivery = await engine.deliver(q.req, token, {
      claim: false,
      step: q.fresh ? 'consume' : 'reuse',
    });
    const base = callFields(q, token, late, at, clock.now());
    const spent = late ? { spentMsat: late.amountMsat, feesMsat: late.feeMsat } : {};
    const url = q.req.url.href;
    const steps = () => [{ node: 'consume', atMs: at, durationMs: clock.now() - at }];
    if (delivery.kind === 'delivered') {
      // The engine has read the body (within its limits) already: decoded only when kept.
      const outputs = d.keepOutputs ? [new TextDecoder().decode(delivery.bytes)] : [];
      // From now on the token is an old one: later calls are reuses.
      const reused: ListedOffer = { ...q, requests: 0, fresh: false, claimed: false, paid: undefined };
      return {
        offers: { ...s.offers, [q.listing.id]: reused },
        callsDone: 1,
        outputs,
        purchases: [
          buildPurchase(s, q.listing, { ...base, outcome: 'success', status: delivery.status }, url),
        ],
        ...spent,
        steps: steps(),
      };
    }
    const { [q.listing.id]: _gone, ...offers } = s.offers;
    // A token refused (just paid for, or held with calls left) is never re-bought in this task:
    // whatever the refusal offers, the seller is dropped and the next-best offer gets its turn.
    if (delivery.kind !== 'rejected') await delivery.response?.body?.cancel();
    const excluded = [q.listing.id];
    const rejected = delivery.kind === 'rejected' ? delivery.answer : undefined;
    const reason =
      delivery.kind === 'rejected'
        ? (delivery.answer.reason ?? `HTTP ${delivery.answer.status}`)
        : delivery.reason;
    const refusal = sellerCode(rejected?.reason);
    const record = { ...base, outcome: delivery.outcome, reason, ...(refusal && { refusal }) };
    return {
      offers,
      excluded,
      purchases: [buildPurchase(s, q.listing, record, url)],
      ...spent,
      steps: steps(),
    };
  };
}

/**
 * The chosen held token has no call left for this task (its other tasks took them since it was offered):
 * nothing is sent and nothing recorded; the offer is dropped, not the seller, so the task decides among
 * its other offers or quotes again (the seller's live challenge: it buys) as after any spent token.
 */
function noCallLeft(d: BuyerDeps, s: BuyerStateT, q: ListedOffer, at: number): BuyerUpdate {
  const { [q.listing.id]: _spent, ...offers } = s.offers;
  d.logger.debug(
    { buyer: d.name, task: s.task.id, listing: q.listing.id },
    'held token has no call left for this task: quoting again instead of sending it',
  );
  return { offers, steps: [{ node: 'consume', atMs: at, durationMs: d.clock.now() - at }] };
}

/**
 * A call made with the chosen offer's token from `at` to `now`, as a purchase record's fields (all but its
 * outcome): what the token cost (`costOf`) and the token itself.
 */
export function callFields(
  q: ListedOffer,
  token: StoredToken,
  late: RecoveredCost | undefined,
  at: number,
  now: number,
): Omit<PurchaseFields, 'outcome'> {
  return {
    ...costOf(q, late, token.amountMsat),
    tokenReused: !q.fresh && !late,
    paymentHash: token.paymentHash,
    preimage: token.preimage,
    macaroon: token.macaroon,
    payee: q.listing.nodePubkey,
    // This call, after the requests that got the offer (none for a held token).
    requests: q.requests + 1,
    consumeMs: now - at,
    startedAt: at,
    endedAt: now,
  };
}

/** What the purchase record says the token cost: this purchase's payment, a recovered one's (`late`), or nothing (a reuse). */
function costOf(q: ListedOffer, late: RecoveredCost | undefined, invoiceMsat: number | undefined) {
  if (late)
    return {
      quotedMsat: invoiceMsat,
      paidMsat: late.amountMsat,
      feeMsat: late.feeMsat,
      hops: late.hops,
      ...(late.invoice && { invoice: late.invoice }),
    };
  return {
    quotedMsat: q.paid ? q.offer?.amountMsat : undefined,
    paidMsat: q.paid?.amountMsat ?? 0,
    feeMsat: q.paid?.feeMsat ?? 0,
    hops: q.paid?.hops ?? 0,
    payMs: q.paid?.payMs,
    quoteMs: q.paid?.quoteMs,
    arrival: q.paid?.arrival,
    ...(q.paid?.invoice && { invoice: q.paid.invoice }),
  };
}
