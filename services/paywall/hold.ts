import type { LightningNode } from '../../infra/lightning/node.js';
import type { Clock } from '../../infra/time/clock.js';

/** A hold invoice this paywall issued and has not settled or canceled yet. */
export interface PendingHold {
  paymentHash: string;
  /** Known only to the seller until it settles: settling reveals it to the payer. */
  preimage: string;
  /** The challenge, so a retry that came too early can be answered with the same one. */
  token: string;
  invoice: string;
  tokenId: string;
  priceMsat: number;
  tier: number;
  expiresAtMs: number;
  /** A retry is waiting on or running the handler for this invoice. */
  busy: boolean;
}

/**
 * The hold invoices in flight, by payment hash. Entries leave when settled
 * or canceled, or (lazily, on the next issue) once their invoice expired.
 */
export class HoldBook {
  readonly #pending = new Map<string, PendingHold>();

  add(h: PendingHold, nowMs: number): void {
    for (const [k, v] of this.#pending) if (v.expiresAtMs <= nowMs && !v.busy) this.#pending.delete(k);
    this.#pending.set(h.paymentHash, h);
  }

  get(paymentHash: string): PendingHold | undefined {
    return this.#pending.get(paymentHash);
  }

  delete(paymentHash: string): void {
    this.#pending.delete(paymentHash);
  }

  get size(): number {
    return this.#pending.size;
  }
}

/** Where a hold invoice stands after waiting. */
export type HoldWait = 'accepted' | 'settled' | 'canceled' | 'missing' | 'timeout';

/**
 * Waits until the payer's HTLC is locked in (`accepted`), on the injected
 * clock. It listens to `onInvoice` for a prompt wake-up and also polls
 * `lookupInvoice` every `pollMs` (a backend may not push every state), so at
 * most one short sleeper is left on a virtual clock after it returns.
 */
export async function waitForAccepted(
  node: LightningNode,
  clock: Clock,
  paymentHash: string,
  { timeoutMs, pollMs }: { timeoutMs: number; pollMs: number },
): Promise<HoldWait> {
  const deadline = clock.now() + timeoutMs;
  let wake: () => void = () => undefined;
  const unsubscribe = node.onInvoice((inv) => {
    if (inv.paymentHash === paymentHash) wake();
  });
  try {
    for (;;) {
      const inv = await node.lookupInvoice(paymentHash);
      if (!inv) return 'missing';
      if (inv.state !== 'open') return inv.state;
      const left = deadline - clock.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        wake = resolve;
        void clock.sleep(Math.min(pollMs, left)).then(resolve);
      });
    }
  } finally {
    unsubscribe();
  }
}
