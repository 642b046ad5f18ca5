import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';

/**
 * Payment hashes the node has said are settled. Settled is final, so a
 * positive answer never needs asking again; the oldest entry leaves when
 * the cache is full (that token is simply asked about again).
 */
export class SettledCache {
  readonly #hashes = new Set<string>();

  constructor(readonly capacity = 100_000) {}

  has(paymentHash: string): boolean {
    return this.#hashes.has(paymentHash);
  }

  add(paymentHash: string): void {
    if (this.#hashes.size >= this.capacity) {
      const oldest = this.#hashes.values().next().value;
      if (oldest !== undefined) this.#hashes.delete(oldest);
    }
    this.#hashes.add(paymentHash);
  }

  get size(): number {
    return this.#hashes.size;
  }
}

/**
 * What strict mode knows about a token's invoice: settled, not settled (the
 * node says open, accepted or canceled), or unknown (the node did not
 * answer, or has no such invoice). Unknown is never "unpaid": answering it
 * with a fresh invoice would make a buyer who paid pay again.
 */
export type Settlement =
  { kind: 'settled' } | { kind: 'unpaid'; state: string } | { kind: 'unknown'; why: string };

/** What a settlement check reads: the cache, the node to ask, the logger (a PaywallState fits). */
export interface SettlementDeps {
  readonly settled: SettledCache;
  readonly node: Pick<LightningNode, 'lookupInvoice'>;
  readonly logger: Logger;
}

/** Asks the node (once per hash while cached) whether the invoice of `paymentHash` is settled. */
export async function settlementOf(p: SettlementDeps, paymentHash: string): Promise<Settlement> {
  if (p.settled.has(paymentHash)) return { kind: 'settled' };
  let inv;
  try {
    inv = await p.node.lookupInvoice(paymentHash);
  } catch (err) {
    p.logger.warn({ err, paymentHash }, 'strict check: the node did not answer');
    return { kind: 'unknown', why: "the seller's node did not answer" };
  }
  if (!inv) return { kind: 'unknown', why: 'the node has no record of this invoice' };
  if (inv.state !== 'settled') return { kind: 'unpaid', state: inv.state };
  p.settled.add(paymentHash);
  return { kind: 'settled' };
}
