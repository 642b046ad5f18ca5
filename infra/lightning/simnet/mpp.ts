import type { Msat } from '../../money.js';
import type { FinalDecision } from './outcomes.js';

/** The invoice's answer to a complete set, or to one HTLC, with the payment secret it carries (the payee's invoice store). */
type Receive = (
  payee: number,
  paymentHash: string,
  amountMsat: Msat,
  paymentSecret: string | undefined,
) => FinalDecision | Promise<FinalDecision>;

interface ShardSet {
  totalMsat: Msat;
  /** The payment secret every shard of the set carries (the payer's one payment of one invoice). */
  paymentSecret: string | undefined;
  arrivedMsat: Msat;
  held: ((d: FinalDecision) => void)[];
  /** Woken on every arrival (the payer watches for "every shard I sent is held"). */
  onArrival: (() => void)[];
  /** Set once the payer gave up: held shards failed back, late ones fail on arrival. */
  abandoned?: FinalDecision;
}

/**
 * The payee's side of multi-part payments (BOLT4 `total_msat`): shards of
 * one payment are held, locked in their channels, until their sum reaches
 * the total; then the invoice sees one HTLC of the whole amount and its
 * answer (settle, or fail) goes to every shard at once. All or nothing:
 * no shard settles before the full amount has arrived.
 *
 * A set is one payer's: shards of two payers paying the same invoice never
 * mix (each set reaches the invoice whole, and the invoice takes one).
 * A payment the payer never announced with `open` goes straight to the
 * invoice, as before (single-part payments are unchanged).
 */
export class ShardCollector {
  readonly #sets = new Map<string, ShardSet>();

  constructor(private readonly receive: Receive) {}

  /**
   * `payer` will send `totalMsat` to `payee` in shards, each with `paymentSecret` (what the onion's
   * `payment_data` tells the payee); returns the set's key, which the payer's later calls name it by.
   */
  open(
    payer: number,
    payee: number,
    paymentHash: string,
    totalMsat: Msat,
    paymentSecret: string | undefined,
  ): string {
    const k = key(payer, payee, paymentHash);
    this.#sets.set(k, { totalMsat, paymentSecret, arrivedMsat: 0, held: [], onArrival: [] });
    return k;
  }

  /** An HTLC from `payer` reached the payee: settle, fail, or hold until the payer's set is complete. */
  arrive(
    payer: number,
    payee: number,
    paymentHash: string,
    amountMsat: Msat,
    paymentSecret: string | undefined,
  ): FinalDecision | Promise<FinalDecision> {
    const k = key(payer, payee, paymentHash);
    const set = this.#sets.get(k);
    if (!set) return this.receive(payee, paymentHash, amountMsat, paymentSecret);
    if (set.abandoned) return set.abandoned;
    set.arrivedMsat += amountMsat;
    const mine = new Promise<FinalDecision>((resolve) => set.held.push(resolve));
    for (const wake of set.onArrival.splice(0)) wake();
    if (set.arrivedMsat >= set.totalMsat) void this.#complete(payee, paymentHash, set);
    return mine;
  }

  /**
   * The payer gave up (attempts or time ran out): every held shard fails
   * back, as the payee's MPP timeout would make it, and any shard still on
   * its way fails when it arrives. Once the full amount has arrived it is
   * too late: the set belongs to the invoice and this does nothing.
   */
  abandon(setKey: string, message: string): void {
    const set = this.#sets.get(setKey);
    // A complete set is the invoice's to decide now (a hold invoice may settle it): too late to give up.
    if (!set || set.abandoned || set.arrivedMsat >= set.totalMsat) return;
    set.abandoned = { kind: 'fail', reason: 'incorrect_payment_details', message };
    this.#release(set, set.abandoned);
  }

  /** How many shards of the set wait at the payee now. */
  heldCount(setKey: string): number {
    return this.#sets.get(setKey)?.held.length ?? 0;
  }

  /** Resolves when the next shard of the set reaches the payee (never, for a set already closed). */
  nextArrival(setKey: string): Promise<void> {
    const set = this.#sets.get(setKey);
    return set ? new Promise((resolve) => set.onArrival.push(resolve)) : new Promise(() => {});
  }

  /** Forgets the set once the payer has heard back from every shard. */
  close(setKey: string): void {
    this.#sets.delete(setKey);
  }

  async #complete(payee: number, paymentHash: string, set: ShardSet): Promise<void> {
    const decision = await this.receive(payee, paymentHash, set.arrivedMsat, set.paymentSecret);
    this.#release(set, decision);
  }

  #release(set: ShardSet, decision: FinalDecision): void {
    const held = set.held;
    set.held = [];
    for (const resolve of held) resolve(decision);
  }
}

const key = (payer: number, payee: number, paymentHash: string) => `${payer}:${payee}:${paymentHash}`;
