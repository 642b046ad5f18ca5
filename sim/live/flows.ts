import type { FlowView, Phase } from './snapshot.js';

/** At most this many purchases in progress are drawn (the most recently active). */
export const MAX_FLOWS = 15;
/**
 * Purchases in progress tracked at most: past this the least recently active
 * is dropped (a buyer pays one seller at a time per task, so a market reaches
 * it only with thousands of tasks at once; a replay's files with any number).
 */
export const MAX_TRACKED_FLOWS = 10_000;

/** Purchase steps as the L402 client reports them, mapped to the phases the page draws. */
const STEP_PHASE: Record<string, Phase> = {
  challenge: 'quote',
  check: 'decide',
  authorize: 'decide',
  pay: 'pay',
  retry: 'consume',
  consume: 'consume',
  reuse: 'consume',
};

/** The page's phase for a purchase step; undefined for steps the page does not draw. */
export function stepPhase(step: string): Phase | undefined {
  return STEP_PHASE[step];
}

/**
 * Purchases in progress, one per (buyer, seller): each step moves its flow
 * to the step's phase; a step that ends the purchase (delivered, reused, or
 * refused at pay, check or authorize) removes it, as does its purchase
 * record (`end`: the last record of every attempt, the only end of one with
 * no step after its payment, a reseller's restock). Kept in order of
 * activity, least recent first, so the view takes the end of the list
 * without sorting.
 */
export class Flows {
  readonly #flows = new Map<string, FlowView & { seen: number }>();
  /** Flows held per buyer. */
  readonly #perBuyer = new Map<string, number>();

  /** Applies step `d` (already mapped to `phase`) of buyer's purchase from seller; `seq` orders activity. */
  step(buyer: string, seller: string, phase: Phase, d: Record<string, unknown>, seq: number): void {
    const step = String(d.step);
    const key = flowKey(buyer, seller);
    const done =
      step === 'consume' ||
      step === 'reuse' ||
      (step === 'pay' && d.ok === false) ||
      (step === 'check' && d.ok === false) ||
      (step === 'authorize' && d.decision !== 'allow');
    if (done) return this.#remove(key);
    const f = this.#flows.get(key) ?? { buyer, seller, phase, amountMsat: 0, hops: 0, seen: 0 };
    f.phase = phase;
    f.seen = seq;
    if (typeof d.amountMsat === 'number') f.amountMsat = d.amountMsat;
    if (typeof d.hops === 'number') f.hops = d.hops;
    if (this.#flows.delete(key))
      this.#flows.set(key, f); // to the end: the most recently active
    else {
      this.#flows.set(key, f);
      this.#perBuyer.set(buyer, this.ofBuyer(buyer) + 1);
    }
    if (this.#flows.size > MAX_TRACKED_FLOWS) this.#remove(this.#flows.keys().next().value!);
  }

  /** Ends buyer's purchase from seller (its purchase record came in). */
  end(buyer: string, seller: string): void {
    this.#remove(flowKey(buyer, seller));
  }

  /** Flows `buyer` has in progress. */
  ofBuyer(buyer: string): number {
    return this.#perBuyer.get(buyer) ?? 0;
  }

  /** Purchases in progress held (at most MAX_TRACKED_FLOWS). */
  get size(): number {
    return this.#flows.size;
  }

  /** Drops every flow of `buyer` (it has no task left in progress). */
  endBuyer(buyer: string): void {
    if (this.ofBuyer(buyer) === 0) return;
    for (const [k, f] of this.#flows) if (f.buyer === buyer) this.#remove(k);
  }

  #remove(key: string): void {
    const f = this.#flows.get(key);
    if (!f) return;
    this.#flows.delete(key);
    const left = this.ofBuyer(f.buyer) - 1;
    if (left > 0) this.#perBuyer.set(f.buyer, left);
    else this.#perBuyer.delete(f.buyer);
  }

  /** The most recently active flows, at most MAX_FLOWS, newest first. */
  view(): FlowView[] {
    const out: FlowView[] = [];
    const newest = [...this.#flows.values()].slice(-MAX_FLOWS).reverse();
    for (const { seen: _s, ...f } of newest) out.push(f);
    return out;
  }
}

function flowKey(buyer: string, seller: string): string {
  return `${buyer}\u0000${seller}`;
}
