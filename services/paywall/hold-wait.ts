import type { LightningNode } from '../../infra/lightning/node.js';
import type { Clock } from '../../infra/time/clock.js';

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
