import type { Context, Next } from 'hono';
import type { L402Error, Minter, TokenFacts, VerifyContext } from '../../infra/l402/index.js';
import { formatAuthorization, paymentHashOfToken } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { IssuedChallenge } from './challenge.js';
import { challengeResponse } from './challenge.js';
import type { PaywallEvent } from './events.js';
import type { HoldBook, PendingHold } from './hold.js';
import { waitForAccepted } from './hold.js';
import type { ResolvedTier } from './options.js';

/** What the pay-on-success retry borrows from its paywall. */
export interface HoldFlow {
  holds: HoldBook;
  node: LightningNode;
  minter: Minter;
  clock: Clock;
  logger: Logger;
  service: string;
  tiers: ResolvedTier[];
  timeoutMs: number;
  pollMs: number;
  verifyContext(c: Context): VerifyContext;
  /** Emits `rejected` and answers a fresh challenge. */
  rejectCredential(c: Context, reason: string, message: string, facts?: TokenFacts): Promise<Response>;
  /** Emits `rejected` and answers `status` with `{ error: reason, message }`. */
  refuse(c: Context, status: 409, reason: string, message: string): Response;
  emit(c: Context, e: Omit<PaywallEvent, 'atMs' | 'service' | 'path' | 'method'>): void;
  /** Rate limit, quota and handler; a Response when refused before the handler. */
  runAuthorized(c: Context, next: Next, facts: TokenFacts): Promise<Response | undefined>;
}

/** Maps a verification failure to the 402 body's `reason`. */
export function reasonOf(e: L402Error): string {
  return e.code === 'quota_exceeded' ? 'quota_exhausted' : e.code;
}

/**
 * The retry of a pay-on-success purchase, `Authorization: L402 <mac>:` sent
 * while the payer's HTLC is held: verify the macaroon with the preimage only
 * the seller knows, wait for the HTLC, run the handler, then settle on 2xx
 * or cancel (refund) on anything else. One retry per invoice at a time.
 */
export async function holdRetry(
  f: HoldFlow,
  c: Context,
  next: Next,
  macaroon: string,
): Promise<Response | void> {
  let hash: string;
  try {
    hash = paymentHashOfToken(macaroon);
  } catch (err) {
    return f.rejectCredential(c, (err as L402Error).code ?? 'bad_macaroon', (err as Error).message);
  }
  const hold = f.holds.get(hash);
  if (!hold)
    return f.rejectCredential(c, 'hold_not_found', `no pending hold invoice for payment hash ${hash}`);
  if (hold.busy)
    return f.refuse(c, 409, 'hold_in_progress', `another request is already using hold invoice ${hash}`);
  hold.busy = true;
  try {
    const v = await f.minter.verify(
      formatAuthorization({ macaroon, preimage: hold.preimage }),
      f.verifyContext(c),
    );
    if (!v.ok) return await f.rejectCredential(c, reasonOf(v.error), v.error.message);
    const state = await waitForAccepted(f.node, f.clock, hash, { timeoutMs: f.timeoutMs, pollMs: f.pollMs });
    if (state === 'timeout') {
      f.emit(c, {
        type: 'rejected',
        reason: 'payment_not_received',
        status: 402,
        paymentHash: hash,
        tokenId: hold.tokenId,
      });
      // The same invoice again: the buyer may still be paying it.
      const same: IssuedChallenge = { ...hold, tier: f.tiers.find((t) => t.tier === hold.tier)! };
      return challengeResponse(c, same, {
        service: f.service,
        reason: 'payment_not_received',
        message: `no HTLC for ${hash} within ${f.timeoutMs} ms; pay the invoice, then retry`,
        payOnSuccess: true,
        tiers: f.tiers,
      });
    }
    if (state !== 'accepted') {
      f.holds.delete(hash);
      return await f.rejectCredential(c, 'hold_not_found', `hold invoice ${hash} is ${state}`);
    }
    const refused = await f.runAuthorized(c, next, v.token);
    const delivered =
      refused === undefined && c.error === undefined && c.res.status >= 200 && c.res.status < 300;
    await finishHold(f, c, hold, delivered, refused?.status ?? c.res.status);
    return refused;
  } finally {
    hold.busy = false;
  }
}

/** Settles on delivery, cancels (the payer gets the HTLC back) otherwise. */
async function finishHold(
  f: HoldFlow,
  c: Context,
  hold: PendingHold,
  delivered: boolean,
  status: number,
): Promise<void> {
  f.holds.delete(hold.paymentHash);
  try {
    if (delivered) await f.node.settleInvoice(hold.preimage);
    else await f.node.cancelInvoice(hold.paymentHash);
    f.emit(c, {
      type: delivered ? 'settled' : 'refunded',
      status,
      tier: hold.tier,
      priceMsat: hold.priceMsat,
      paymentHash: hold.paymentHash,
      tokenId: hold.tokenId,
    });
  } catch (err) {
    // The HTLC times out on its own if neither call got through; say so loudly.
    f.logger.error(
      { err, paymentHash: hold.paymentHash, delivered },
      'could not settle/cancel a hold invoice',
    );
  }
}
