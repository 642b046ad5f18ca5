import type { LightningNode } from '../../infra/lightning/node.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PendingHold } from './hold.js';
import type { PaywallState } from './state.js';

/** Where a hold invoice stands after waiting. */
export type HoldWait = 'accepted' | 'settled' | 'canceled' | 'missing' | 'timeout';

/** The longest poll interval while waiting: `holdPollMs` doubles up to it (or stays, when larger). */
export const HOLD_POLL_MAX_MS = 2_000;

/**
 * Waits until the payer's HTLC is locked in (`accepted`), on the injected
 * clock. It listens to `onInvoice` for a prompt wake-up and also polls
 * `lookupInvoice` (a backend may not push every state): first after
 * `pollMs`, the interval doubling up to `HOLD_POLL_MAX_MS`, so a 30 s wait
 * asks the node about 20 times, not 600. At most one sleeper is left on a
 * virtual clock after it returns.
 */
export async function waitForAccepted(
  node: LightningNode,
  clock: Clock,
  paymentHash: string,
  { timeoutMs, pollMs }: { timeoutMs: number; pollMs: number },
): Promise<HoldWait> {
  const deadline = clock.now() + timeoutMs;
  const maxPollMs = Math.max(pollMs, HOLD_POLL_MAX_MS);
  let wake: () => void = () => undefined;
  const unsubscribe = node.onInvoice((inv) => {
    if (inv.paymentHash === paymentHash) wake();
  });
  try {
    for (let interval = pollMs; ; interval = Math.min(2 * interval, maxPollMs)) {
      const inv = await node.lookupInvoice(paymentHash);
      if (!inv) return 'missing';
      if (inv.state !== 'open') return inv.state;
      const left = deadline - clock.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        wake = resolve;
        void clock.sleep(Math.min(interval, left)).then(resolve);
      });
    }
  } finally {
    unsubscribe();
  }
}

/** True when `hold`'s invoice expired with no HTLC accepted: nobody can pay it any more. */
export function expiredUnpaid(p: PaywallState, hold: PendingHold): boolean {
  return !hold.accepted && p.clock.now() >= hold.expiresAtMs;
}

/**
 * One retry's wait for its HTLC: `full` when `maxWaitingRetries` retries wait already (unless its
 * HTLC is in: nothing to wait for), else `waitForAccepted` for at most `holdTimeoutMs`, and never
 * past the invoice's expiry. An HTLC found accepted marks the hold `accepted` (a node may push no
 * event of it), so a hold the retry leaves in the book is canceled at its expiry, never just dropped.
 */
export async function waitForHtlc(p: PaywallState, hold: PendingHold): Promise<HoldWait | 'full'> {
  const w = p.holdWaits;
  if (w.waiting >= w.max && !hold.accepted) return 'full';
  w.waiting++;
  try {
    const timeoutMs = Math.min(p.holdTimeoutMs, hold.expiresAtMs - p.clock.now());
    const state = await waitForAccepted(p.node, p.clock, hold.paymentHash, {
      timeoutMs,
      pollMs: p.holdPollMs,
    });
    if (state === 'accepted') hold.accepted = true;
    return state;
  } finally {
    w.waiting--;
  }
}
