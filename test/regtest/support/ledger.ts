/**
 * Money checks for real-network tests: a ledger of the payments a test made
 * (as its clients recorded them) compared with what every node's channel
 * balance really did, to the msat.
 */
import type { LightningNode } from '../../../infra/lightning/node.js';
import { ppmFee } from '../../../infra/money.js';
import { defaultTopology } from '../../../infra/regtest/topology.js';
import { systemClock, type Clock } from '../../../infra/time/clock.js';

/** The nodes of the default regtest topology. */
export const NODE_NAMES = ['hub', 'seller-1', 'seller-2', 'buyer-1', 'buyer-2'] as const;
export type NodeName = (typeof NODE_NAMES)[number];

/** What the hub charges to forward `amountMsat` (BOLT 7: base + proportional, rounded down). */
export function hubFee(amountMsat: number): number {
  return defaultTopology.fees.baseMsat + ppmFee(amountMsat, defaultTopology.fees.ratePpm);
}

/**
 * Local channel balance of each node once no HTLC is in flight anywhere
 * among them (a payer hears of success before every hop has settled, and a
 * canceled hold invoice fails back hop by hop). Bounded: 10 s.
 */
export async function quietBalances<K extends string>(
  nodes: Readonly<Record<K, LightningNode>>,
  clock: Clock = systemClock,
): Promise<Record<K, number>> {
  const names = Object.keys(nodes) as K[];
  const until = clock.now() + 10_000;
  for (;;) {
    const all = await Promise.all(names.map((n) => nodes[n]!.balances()));
    if (all.every((b) => b.pendingInMsat + b.pendingOutMsat === 0))
      return Object.fromEntries(names.map((n, i) => [n, all[i]!.localMsat])) as Record<K, number>;
    if (clock.now() > until) {
      const busy = names.filter((_, i) => all[i]!.pendingInMsat + all[i]!.pendingOutMsat > 0);
      throw new Error(`HTLCs still in flight after 10 s at ${busy.join(', ')}`);
    }
    await clock.sleep(50);
  }
}

/** Expected channel-balance changes, built from the payments a test's clients say they made. */
export class ChannelLedger {
  private readonly deltas = new Map<string, number>();

  constructor(names: readonly string[] = NODE_NAMES) {
    for (const n of names) this.deltas.set(n, 0);
  }

  /** One successful payment `payer → router → payee`: the payer loses amount + fee, the router earns the fee. */
  book(payer: string, payee: string, amountMsat: number, feeMsat: number, router = 'hub'): void {
    this.add(payer, -(amountMsat + feeMsat));
    this.add(payee, amountMsat);
    this.add(router, feeMsat);
  }

  /** Node → expected change, msat. */
  expected(): Record<string, number> {
    return Object.fromEntries(this.deltas);
  }

  private add(name: string, msat: number): void {
    if (!this.deltas.has(name)) throw new Error(`ledger has no node ${name}`);
    this.deltas.set(name, this.deltas.get(name)! + msat);
  }
}

/** `after − before` per node. */
export function changes(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(Object.keys(before).map((n) => [n, after[n]! - before[n]!]));
}
