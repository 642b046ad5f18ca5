import type { Context } from 'hono';
import type { PendingHold } from './hold.js';
import { RELEASE_HEADER } from './headers.js';
import { emit, refuse, unavailable } from './respond.js';
import type { PaywallState } from './state.js';

/** The buyer's verdict on a delivery it has checked. */
export type ReleaseVerdict = 'settle' | 'cancel';

/** The verdict a retry carries (`L402-Release: settle|cancel`), if any. */
export function releaseVerdict(c: Context): ReleaseVerdict | undefined {
  const v = c.req.header(RELEASE_HEADER)?.trim().toLowerCase();
  return v === 'settle' || v === 'cancel' ? v : undefined;
}

/** True when this paywall offers buyer release and the retry asked for it (`L402-Release: buyer`). */
export function wantsBuyerRelease(p: PaywallState, c: Context): boolean {
  return p.buyerRelease && c.req.header(RELEASE_HEADER)?.trim().toLowerCase() === 'buyer';
}

/**
 * Keeps a delivered hold for the buyer's verdict: the 2xx says so
 * (`L402-Release: pending`), and the hold book cancels it at the invoice's
 * expiry if no verdict comes, so a buyer who never answers pays nothing.
 */
export function awaitRelease(c: Context, hold: PendingHold): void {
  hold.awaitingRelease = true;
  c.header(RELEASE_HEADER, 'pending');
}

/**
 * The buyer's verdict on a delivered hold (its payer key already checked):
 * settle or cancel on the node, then forget the hold. A node that does not
 * answer leaves the hold as it was and answers 503, so the buyer can send the
 * verdict again; a hold that delivered nothing yet has no verdict to take (409).
 */
export async function releaseHold(
  p: PaywallState,
  c: Context,
  hold: PendingHold,
  verdict: ReleaseVerdict,
): Promise<Response> {
  const hash = hold.paymentHash;
  if (!hold.awaitingRelease)
    return refuse(
      p,
      c,
      409,
      'nothing_to_release',
      `hold invoice ${hash} has delivered nothing to release yet; retry with ${RELEASE_HEADER}: buyer first`,
    );
  hold.busy = true;
  try {
    if (verdict === 'settle') await p.node.settleInvoice(hold.preimage);
    else await p.node.cancelInvoice(hash);
  } catch (err) {
    p.logger.warn({ err, paymentHash: hash, verdict }, 'buyer release: the node did not answer');
    return unavailable(
      p,
      c,
      'token_state_unknown',
      `cannot ${verdict} hold invoice ${hash} now; retry later`,
    );
  } finally {
    hold.busy = false;
  }
  p.holds.resolved(hold, verdict === 'settle' ? 'settled' : 'canceled');
  emit(p, c, {
    type: verdict === 'settle' ? 'settled' : 'refunded',
    reason: verdict === 'settle' ? 'buyer_settled' : 'buyer_canceled',
    status: 200,
    tier: hold.tier,
    priceMsat: hold.priceMsat,
    paymentHash: hash,
    tokenId: hold.tokenId,
  });
  return c.json({ paymentHash: hash, released: verdict === 'settle' ? 'settled' : 'canceled' });
}
