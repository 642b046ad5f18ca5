import type { TokenFacts } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';

/**
 * Invoice amounts by payment hash, for tokens with a negotiated price. An
 * invoice's amount never changes, so an answer is kept; the oldest entry
 * leaves when the cache is full (that token is simply looked up again).
 */
export class PricePaidCache {
  readonly #amounts = new Map<string, number>();

  constructor(readonly capacity = 100_000) {}

  get(paymentHash: string): number | undefined {
    return this.#amounts.get(paymentHash);
  }

  set(paymentHash: string, amountMsat: number): void {
    if (this.#amounts.size >= this.capacity && !this.#amounts.has(paymentHash)) {
      const oldest = this.#amounts.keys().next().value;
      if (oldest !== undefined) this.#amounts.delete(oldest);
    }
    this.#amounts.set(paymentHash, amountMsat);
  }
}

/** What the price check reads (a PaywallState fits). */
export interface PriceCheckDeps {
  readonly pricesPaid: PricePaidCache;
  readonly node: Pick<LightningNode, 'lookupInvoice'>;
  readonly logger: Logger;
}

/**
 * A token with a `<service>_price` caveat opens the route only if the
 * invoice of its payment hash was issued for exactly that price: `ok`,
 * `mismatch` (refused), or `unknown` (the node did not say; 503, never a
 * fresh invoice). Tokens without the caveat pass untouched.
 */
export async function checkPricePaid(
  p: PriceCheckDeps,
  facts: Pick<TokenFacts, 'paymentHash' | 'priceMsat'>,
): Promise<{ kind: 'ok' } | { kind: 'mismatch'; message: string } | { kind: 'unknown'; why: string }> {
  const price = facts.priceMsat;
  if (price === undefined) return { kind: 'ok' };
  let amount = p.pricesPaid.get(facts.paymentHash);
  if (amount === undefined) {
    let inv;
    try {
      inv = await p.node.lookupInvoice(facts.paymentHash);
    } catch (err) {
      p.logger.warn({ err, paymentHash: facts.paymentHash }, 'price check: the node did not answer');
      return { kind: 'unknown', why: "the seller's node did not answer" };
    }
    if (!inv) return { kind: 'unknown', why: 'the node has no record of this invoice' };
    amount = inv.amountMsat;
    p.pricesPaid.set(facts.paymentHash, amount);
  }
  if (amount !== price)
    return {
      kind: 'mismatch',
      message: `the token's price caveat says ${price} msat but its invoice ${facts.paymentHash} was for ${amount} msat`,
    };
  return { kind: 'ok' };
}
