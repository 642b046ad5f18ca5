import type { Msat } from '../../infra/money.js';
import type { EngineContext } from './context.js';
import { preimageMatches, type Grant } from './payment.js';
import type { StoredToken } from './token-store.js';

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

  /** The payment succeeded: its grant's money becomes a spend of `actualMsat` (amount + fee). */
  settle(paymentHash: string, actualMsat: Msat): void {
    const g = this.#take(paymentHash);
    g?.policy.settle(g.reservation, actualMsat);
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

/**
 * Resolves a pending token by its payment (looked up by hash): completed
 * (true), dropped (false), or still unknown (undefined): in flight, or a
 * success without a preimage that opens the hash, which is never a reason to
 * pay again. The grant kept for the payment is settled or released with it.
 */
export async function recoverToken(
  ctx: EngineContext,
  unresolved: UnresolvedGrants,
  t: StoredToken,
): Promise<boolean | undefined> {
  const p = await ctx.node.lookupPayment(t.paymentHash);
  if (p?.status === 'succeeded' && p.preimage && preimageMatches(p.preimage, t.paymentHash)) {
    await ctx.tokens.put({ ...t, state: 'paid', preimage: p.preimage.toLowerCase() });
    unresolved.settle(t.paymentHash, p.amountMsat + p.feeMsat);
    return true;
  }
  if (p?.status === 'in_flight' || p?.status === 'succeeded') return undefined;
  await ctx.tokens.evict(t.origin, t.pathPrefix, t.paymentHash);
  unresolved.release(t.paymentHash);
  return false;
}
