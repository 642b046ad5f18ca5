import type { Payment } from '../../infra/lightning/node.js';
import type { Msat } from '../../infra/money.js';
import type { EngineContext } from './context.js';
import { emitPay } from './pay-event.js';
import type { Grant } from './payment.js';
import { provenPaid } from './proof.js';
import type { PreparedRequest } from './request.js';
import { SingleFlight } from './single-flight.js';
import { payingFor } from './store-payments.js';
import { writeAfterPaying, type StoredToken, type TokenStore } from './token-store.js';

/**
 * The grants of payments whose fate was unknown when paying ended (their
 * tokens left pending), by payment hash. The money each holds is settled with
 * what the payment cost once recovery finds it succeeded, or released once it
 * finds it failed: a hold never outlives the payment it covers.
 */
export class UnresolvedGrants {
  readonly #grants = new Map<string, Grant>();

  /** Keeps `grant` until its payment's fate is known. */
  keep(grant: Grant): void {
    this.#grants.set(grant.offer.paymentHash, grant);
  }

  /** The payment succeeded: its grant's money becomes a spend of `actualMsat` (amount + fee); the grant, if kept. */
  settle(paymentHash: string, actualMsat: Msat): Grant | undefined {
    const g = this.#take(paymentHash);
    g?.policy.settle(g.reservation, actualMsat);
    return g;
  }

  /** The payment failed (or the node has no record of it): its grant's money is free again. */
  release(paymentHash: string): void {
    const g = this.#take(paymentHash);
    g?.policy.release(g.reservation);
  }

  #take(paymentHash: string): Grant | undefined {
    const g = this.#grants.get(paymentHash);
    this.#grants.delete(paymentHash);
    return g;
  }
}

/** What a payment recovery completed cost, for the purchase record that first uses its token. */
export interface RecoveredCost {
  amountMsat: Msat;
  feeMsat: Msat;
  hops: number;
  /** The invoice paid (with the token's preimage, the proof of purchase). */
  invoice?: string;
}

/**
 * Payments recovery completed whose cost no purchase record carries yet, by
 * token store (every engine on one store shares them) and payment hash.
 */
const unrecorded = new WeakMap<TokenStore, Map<string, RecoveredCost>>();

/**
 * The cost of the payment behind `paymentHash` if recovery completed it and
 * no purchase record has carried it yet; handed out once. A buyer graph's
 * purchase that uses such a token records this cost (its `paidMsat`,
 * `feeMsat`): the task that paid ended before the payment's fate was known.
 */
export function takeRecovered(tokens: TokenStore, paymentHash: string): RecoveredCost | undefined {
  const costs = unrecorded.get(tokens);
  const c = costs?.get(paymentHash);
  costs?.delete(paymentHash);
  return c;
}

/** The recoveries running on each token store, by payment hash (its payments in flight: store-payments.ts). */
const recovering = new WeakMap<TokenStore, SingleFlight>();

/**
 * Resolves a pending token by its payment (looked up by hash): completed
 * (true), dropped (false), or still unknown (undefined): in flight (at the
 * node, or paid now by an engine on this token store, never looked up), or a
 * success without a preimage that opens the hash, which is never a reason to
 * pay again. The grant kept for the payment is settled or released with it;
 * a completed payment is reported as it would have been had paying learned
 * its fate (`recorded`). One recovery of a payment hash runs at a time per
 * token store: a caller that asks while it runs (two purchases finding the
 * token pending at once) gets its answer, and a token resolved since the
 * caller read it is left as it is (true while its paid token is held), so a
 * payment is stored, settled and reported once.
 */
export async function recoverToken(
  ctx: EngineContext,
  unresolved: UnresolvedGrants,
  t: StoredToken,
): Promise<boolean | undefined> {
  let flights = recovering.get(ctx.tokens);
  if (!flights) recovering.set(ctx.tokens, (flights = new SingleFlight()));
  return flights.share(t.paymentHash, () => recoverOnce(ctx, unresolved, t));
}

async function recoverOnce(
  ctx: EngineContext,
  unresolved: UnresolvedGrants,
  t: StoredToken,
): Promise<boolean | undefined> {
  const held = ctx.tokens.list().filter((x) => x.paymentHash === t.paymentHash);
  if (!held.some((x) => x.state === 'pending')) return held.length > 0;
  // An engine on this store is paying it: its node may not have the payment yet (no record is no failure).
  if (payingFor(ctx.tokens, t.paymentHash)) return undefined;
  const p = await ctx.node.lookupPayment(t.paymentHash);
  if (provenPaid(p, t.paymentHash)) {
    const paid: StoredToken = { ...t, state: 'paid', preimage: p.preimage.toLowerCase() };
    await writeAfterPaying(ctx.tokens.put(paid), ctx.logger, 'a recovered token');
    recorded(ctx, t, p, unresolved.settle(t.paymentHash, p.amountMsat + p.feeMsat));
    return true;
  }
  if (p?.status === 'in_flight' || p?.status === 'succeeded') return undefined;
  // A payment of the hash begun while the node was asked (its record may be newer than the answer).
  if (payingFor(ctx.tokens, t.paymentHash)) return undefined;
  await writeAfterPaying(
    ctx.tokens.evict(t.origin, t.pathPrefix, t.paymentHash),
    ctx.logger,
    "a failed payment's drop",
  );
  unresolved.release(t.paymentHash);
  return false;
}

/**
 * The money a recovered payment moved, in the buyer's records: a `pay` event
 * (ok, its amount and fee, from when the payment began to now), tagged with
 * the purchase that paid when this engine kept its grant; and its cost kept
 * for the first purchase record that uses the token (`takeRecovered`).
 */
function recorded(ctx: EngineContext, t: StoredToken, p: Payment, grant: Grant | undefined): void {
  const cost: RecoveredCost = { amountMsat: p.amountMsat, feeMsat: p.feeMsat, hops: p.hops };
  if (t.invoice) cost.invoice = t.invoice;
  let costs = unrecorded.get(ctx.tokens);
  if (!costs) unrecorded.set(ctx.tokens, (costs = new Map()));
  costs.set(t.paymentHash, cost);
  const req = grant?.offer.req ?? scopeRequest(t);
  const { amountMsat, feeMsat, hops } = p;
  const atMs = t.createdAt;
  emitPay(ctx, req, {
    atMs,
    durationMs: ctx.clock.now() - atMs,
    ok: true,
    amountMsat,
    feeMsat,
    hops,
    paymentHash: t.paymentHash,
  });
}

/** A request for a token's scope, untagged: the purchase that paid is not this engine's (a crash's). */
function scopeRequest(t: StoredToken): PreparedRequest {
  const url = new URL(t.pathPrefix, t.origin);
  return { url, origin: t.origin, path: t.pathPrefix, method: 'GET', headers: new Headers() };
}

/**
 * Recovers every pending token of `ctx.tokens` by its payment's fate (`recoverToken`): completed,
 * dropped, or left in flight (unanswered, or one an engine on this store is paying now: the node
 * may not know it yet, so it is left to its purchase).
 */
export async function recoverPending(
  ctx: EngineContext,
  unresolved: UnresolvedGrants,
): Promise<{ completed: number; dropped: number; inFlight: number }> {
  const counts = { completed: 0, dropped: 0, inFlight: 0 };
  for (const t of ctx.tokens.list().filter((t) => t.state === 'pending')) {
    const r = payingFor(ctx.tokens, t.paymentHash)
      ? undefined
      : await recoverToken(ctx, unresolved, t).catch(() => undefined);
    if (r === true) counts.completed++;
    else if (r === false) counts.dropped++;
    else counts.inFlight++;
  }
  return counts;
}
