import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'hono';
import type { L402Error } from '../../infra/l402/index.js';
import { formatAuthorization, paymentHashOfToken } from '../../infra/l402/index.js';
import { runAuthorized } from './authorized.js';
import { awaitRelease, releaseHold, releaseVerdict, wantsBuyerRelease } from './buyer-release.js';
import type { IssuedChallenge } from './challenge.js';
import { challengeResponse } from './challenge.js';
import type { PendingHold } from './hold.js';
import { expiredUnpaid, waitForHtlc } from './hold-wait.js';
import {
  PAY_ON_SUCCESS_HEADER,
  PAYER_KEY_HEADER,
  PAYER_LOCK_HEADER,
  RELEASE_HEADER,
  hex32,
} from './headers.js';
import { reserveHoldRefund, returnHoldRefund, wasNotRun } from './give-back.js';
import {
  emit,
  holdRefundsLimited,
  refuse,
  refuseVerification,
  rejectCredential,
  unavailable,
} from './respond.js';
import { verifyContext, type PaywallState } from './state.js';

/**
 * The retry of a pay-on-success purchase, `Authorization: L402 <mac>:` sent
 * while the payer's HTLC is held: check the payer's key against the lock it
 * sent for the hold invoice, verify the macaroon with the preimage only the
 * seller knows, wait for the HTLC, run the handler, then settle on 2xx or
 * cancel (refund) on anything else, and on a 2xx the buyer no longer waits
 * for (its request's signal aborted: it timed out or closed the connection).
 * One retry per invoice at a time. With buyer release, a 2xx waits for the
 * buyer's verdict, sent as a retry too.
 */
export async function holdRetry(
  p: PaywallState,
  c: Context,
  next: Next,
  macaroon: string,
): Promise<Response | void> {
  let hash: string;
  try {
    hash = paymentHashOfToken(macaroon);
  } catch (err) {
    return rejectCredential(p, c, (err as L402Error).code ?? 'bad_macaroon', (err as Error).message);
  }
  const hold = p.holds.get(hash);
  if (!hold)
    return rejectCredential(p, c, 'hold_not_found', `no pending hold invoice for payment hash ${hash}`);
  // Before `busy`: someone holding only the macaroon must not block the payer's own retry either.
  if (!opens(hold.payerLock, c.req.header(PAYER_KEY_HEADER)))
    return rejectCredential(
      p,
      c,
      'payer_key_mismatch',
      `the retry for hold invoice ${hash} needs ${PAYER_KEY_HEADER}: the secret whose sha256 was the ${PAYER_LOCK_HEADER} of its request`,
    );
  if (hold.busy)
    return refuse(p, c, 409, 'hold_in_progress', `another request is already using hold invoice ${hash}`);
  // Decided, and the node has not done it yet: unknown to the payer, so 503, never a new invoice.
  if (hold.resolving)
    return unavailable(
      p,
      c,
      'token_state_unknown',
      `hold invoice ${hash} is being ${hold.resolving === 'settle' ? 'settled' : 'canceled'}; retry later`,
    );
  const verdict = releaseVerdict(c);
  if (verdict) return releaseHold(p, c, hold, verdict);
  // Delivered once: the handler never runs twice for one invoice.
  if (hold.awaitingRelease)
    return refuse(
      p,
      c,
      409,
      'awaiting_release',
      `hold invoice ${hash} has delivered; it waits for ${RELEASE_HEADER}: settle or cancel`,
    );
  hold.busy = true;
  try {
    return await runHold(p, c, next, macaroon, hold);
  } catch (err) {
    // The node did not answer (restart, timeout): the HTLC's fate is unknown, so no new invoice.
    p.logger.warn({ err, paymentHash: hash }, 'pay-on-success: the node did not answer');
    return unavailable(
      p,
      c,
      'token_state_unknown',
      `cannot tell whether hold invoice ${hash} is paid; retry later`,
    );
  } finally {
    hold.busy = false;
    if (hold.accepted && p.holds.get(hash) === hold) p.holds.armExpiry(hold);
  }
}

/** True when `key` (hex) hashes to `lock`. */
function opens(lock: string, keyHeader: string | undefined): boolean {
  const key = hex32(keyHeader);
  if (key === undefined) return false;
  const hashed = createHash('sha256').update(Buffer.from(key, 'hex')).digest();
  return timingSafeEqual(hashed, Buffer.from(lock, 'hex'));
}

/** Verify, wait for the HTLC, run the handler, settle or cancel. */
async function runHold(
  p: PaywallState,
  c: Context,
  next: Next,
  macaroon: string,
  hold: PendingHold,
): Promise<Response | void> {
  const hash = hold.paymentHash;
  const v = await p.minter.verify(
    formatAuthorization({ macaroon, preimage: hold.preimage }),
    verifyContext(p, c),
  );
  // A root-key store that did not answer is 503 (refuseVerification): the hold stays for the retry.
  if (!v.ok) return await refuseVerification(p, c, v.error);
  if (expiredUnpaid(p, hold)) return await expiredHold(p, c, hold);
  const state = await waitForHtlc(p, hold);
  if (state === 'full') {
    const message = `${p.holdWaits.max} pay-on-success retries are waiting for their HTLC, the most this seller keeps; retry in 1 s`;
    return refuse(p, c, 503, 'hold_waits_full', message, { 'Retry-After': '1' }, v.token);
  }
  // Not paid by its expiry (the wait ends there): the node cancels the invoice, never paid now.
  if (state !== 'accepted' && expiredUnpaid(p, hold)) return await expiredHold(p, c, hold);
  if (state === 'timeout') {
    emit(p, c, {
      type: 'rejected',
      reason: 'payment_not_received',
      status: 402,
      paymentHash: hash,
      tokenId: hold.tokenId,
    });
    // The same invoice again: the buyer may still be paying it.
    const same: IssuedChallenge = { ...hold, tier: p.tiers.find((t) => t.tier === hold.tier)! };
    return challengeResponse(c, same, {
      service: p.service,
      reason: 'payment_not_received',
      message: `no HTLC for ${hash} within ${p.holdTimeoutMs} ms; pay the invoice, then retry`,
      payOnSuccess: true,
      buyerRelease: p.buyerRelease,
      tiers: p.tiers,
    });
  }
  if (state !== 'accepted') {
    p.holds.delete(hash);
    return await rejectCredential(p, c, 'hold_not_found', `hold invoice ${hash} is ${state}`);
  }
  // One refund reserved for a call the handler might not deliver; none left: refunded now, not run.
  const spent = reserveHoldRefund(p);
  if (spent) {
    const message = `hold invoice ${hash} is canceled (your HTLC goes back), the call not run: ${spent.message}`;
    const limited = holdRefundsLimited(p, c, { ...spent, message }, v.token);
    await finishHold(p, c, hold, { delivered: false, status: limited.status });
    return limited;
  }
  // A throw (the node) keeps the reservation: the handler may have run. Not prepaid: an aborted
  // request cancels the hold (endHold), its call is not given back to the quota.
  const refused = await runAuthorized(p, c, next, v.token, false);
  if (refused?.status === 503) {
    // The quota store did not answer (runAuthorized's one 503): nothing run, the hold stays for the retry.
    returnHoldRefund(p);
    return refused;
  }
  await endHold(p, c, hold, refused);
  return refused;
}

/** A hold whose invoice expired unpaid: dropped, and the retry answered with a fresh challenge. */
async function expiredHold(p: PaywallState, c: Context, hold: PendingHold): Promise<Response> {
  p.holds.delete(hold.paymentHash);
  const at = new Date(hold.expiresAtMs).toISOString();
  const message = `hold invoice ${hold.paymentHash} expired unpaid at ${at}; pay the invoice of this new challenge (or ask again with ${PAY_ON_SUCCESS_HEADER})`;
  return rejectCredential(p, c, 'hold_expired', message, hold);
}

/**
 * After the handler: a 2xx the buyer still waits for is delivered (settled,
 * or kept for the buyer's verdict); anything else cancels. A 2xx the buyer
 * gave up on (its request's signal aborted: a timeout, a closed connection)
 * never reached it, so it cancels too. A cancel after the handler ran uses
 * up the refund reserved for it (`holdRefundRate`); a delivery, or a refusal
 * before the handler (the paywall's, or a capacity gate's behind it:
 * `markNotRun`), gives it back.
 */
async function endHold(
  p: PaywallState,
  c: Context,
  hold: PendingHold,
  refused: Response | undefined,
): Promise<void> {
  const answered =
    refused === undefined && c.error === undefined && c.res.status >= 200 && c.res.status < 300;
  const gone = answered && c.req.raw.signal.aborted;
  const delivered = answered && !gone;
  // Delivered, or refused before the handler (by the paywall or behind it): the reservation goes back.
  // Else it is this cancel's refund.
  if (refused !== undefined || delivered || wasNotRun(c)) returnHoldRefund(p);
  if (delivered && wantsBuyerRelease(p, c)) {
    hold.accepted = true;
    return awaitRelease(c, hold);
  }
  const status = refused?.status ?? c.res.status;
  await finishHold(p, c, hold, { delivered, status, ...(gone ? { reason: 'request_aborted' } : {}) });
}

/** How a hold's retry ended: delivered (settle) or not (cancel), with the status answered and why. */
interface HoldOutcome {
  delivered: boolean;
  status: number;
  reason?: string;
}

/**
 * Settles on delivery, cancels (the payer gets the HTLC back) otherwise; the
 * event is emitted when the node has done it. A node that fails keeps the
 * hold in the book, tried again on the clock (`HoldBook.resolve`).
 */
async function finishHold(
  p: PaywallState,
  c: Context,
  hold: PendingHold,
  outcome: HoldOutcome,
): Promise<void> {
  const { delivered, status, reason } = outcome;
  await p.holds.resolve(hold, delivered ? 'settle' : 'cancel', (state) =>
    emit(p, c, {
      type: state === 'settled' ? 'settled' : 'refunded',
      ...(reason ? { reason } : {}),
      status,
      tier: hold.tier,
      priceMsat: hold.priceMsat,
      paymentHash: hold.paymentHash,
      tokenId: hold.tokenId,
    }),
  );
}
