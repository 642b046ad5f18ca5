import type { Context } from 'hono';
import type { TokenFacts, VerifyResult } from '../../infra/l402/index.js';
import { challengeResponse, issueChallenge, priceOf } from './challenge.js';
import type { PaywallEvent } from './events.js';
import { holdRefundsSpent } from './give-back.js';
import { retryAfterSec } from './rate-limiter.js';
import { PAYER_LOCK_HEADER, PAY_ON_SUCCESS_HEADER, TIER_HEADER, headerFlag, hex32 } from './headers.js';
import type { ResolvedTier } from './tier.js';
import type { PaywallState } from './state.js';

/** An event without the fields every event of this request shares. */
export type EventBody = Omit<PaywallEvent, 'atMs' | 'service' | 'path' | 'method'>;

/** Statuses the paywall answers with itself (402s go through `challenge`). */
export type RefusalStatus = 400 | 403 | 409 | 429 | 503;

/** Reports an event; a listener that throws is logged and never breaks the request. */
export function emit(p: PaywallState, c: Context, e: EventBody): void {
  if (!p.onEvent) return;
  try {
    p.onEvent({ atMs: p.clock.now(), service: p.service, path: c.req.path, method: c.req.method, ...e });
  } catch (err) {
    p.logger.warn({ err }, 'paywall onEvent listener threw');
  }
}

/** Emits `rejected` and answers `status` with `{ error: reason, message }`. */
export function refuse(
  p: PaywallState,
  c: Context,
  status: RefusalStatus,
  reason: string,
  message: string,
  extra: Record<string, string> = {},
  facts?: Pick<TokenFacts, 'tokenId' | 'paymentHash'>,
): Response {
  emit(p, c, { type: 'rejected', reason, status, tokenId: facts?.tokenId, paymentHash: facts?.paymentHash });
  return c.json({ error: reason, message }, status, extra);
}

/**
 * The seller cannot answer now: 503 with Retry-After, never a new invoice. `cause`, the error of
 * the part that failed, goes to the log only: the buyer's message stays the fixed one given.
 */
export function unavailable(
  p: PaywallState,
  c: Context,
  reason: string,
  message: string,
  facts?: Pick<TokenFacts, 'tokenId' | 'paymentHash'>,
  cause?: unknown,
): Response {
  p.logger.error({ service: p.service, reason, ...(cause === undefined ? {} : { err: cause }) }, message);
  return refuse(p, c, 503, reason, message, { 'Retry-After': '1' }, facts);
}

/** Why `minter.verify` did not pass a credential. */
export type VerifyFailure = Extract<VerifyResult, { ok: false }>['error'];

/**
 * Answers a credential `minter.verify` did not pass: a root-key store that did not answer is 503
 * `key_store_unavailable` (the token is unchecked, not bad: the buyer keeps it and retries), any
 * other failure a fresh challenge with the verification code as `reason`.
 */
export function refuseVerification(
  p: PaywallState,
  c: Context,
  e: VerifyFailure,
): Promise<Response> | Response {
  if (e.code === 'key_store_unavailable') return unavailable(p, c, e.code, e.message, undefined, e.cause);
  return rejectCredential(p, c, e.code === 'quota_exceeded' ? 'quota_exhausted' : e.code, e.message);
}

/** Emits `rejected` for a credential that does not open this route, then answers a fresh challenge. */
export async function rejectCredential(
  p: PaywallState,
  c: Context,
  reason: string,
  message: string,
  facts?: Pick<TokenFacts, 'tokenId' | 'paymentHash'>,
): Promise<Response> {
  emit(p, c, {
    type: 'rejected',
    reason,
    status: 402,
    tokenId: facts?.tokenId,
    paymentHash: facts?.paymentHash,
  });
  return challenge(p, c, reason, message);
}

/** The tier the request asks for with `L402-Tier` (default the first), or the 400 answering a bad one. */
export function pickTier(p: PaywallState, c: Context): ResolvedTier | { error: Response } {
  const raw = c.req.header(TIER_HEADER);
  if (raw === undefined) return p.tiers[0]!;
  if (!/^\s*\d{1,3}\s*$/.test(raw)) {
    const shown = JSON.stringify(raw.slice(0, 40));
    return { error: refuse(p, c, 400, 'bad_header', `${TIER_HEADER} must be a tier number, got ${shown}`) };
  }
  const t = p.tiers.find((x) => x.tier === Number(raw));
  if (t) return t;
  const sold = p.tiers.map((x) => x.tier).join(', ');
  return {
    error: refuse(p, c, 400, 'unknown_tier', `tier ${Number(raw)} is not sold here; tiers: ${sold}`),
  };
}

/** Issues a fresh challenge (402), or answers 400/503 when it cannot. */
export async function challenge(
  p: PaywallState,
  c: Context,
  reason: string,
  message: string,
): Promise<Response> {
  const tier = pickTier(p, c);
  if ('error' in tier) return tier.error;
  const hold = p.payOnSuccess && headerFlag(c.req.header(PAY_ON_SUCCESS_HEADER));
  const payerLock = hex32(c.req.header(PAYER_LOCK_HEADER));
  if (hold && payerLock === undefined)
    return refuse(
      p,
      c,
      400,
      'payer_lock_required',
      `${PAY_ON_SUCCESS_HEADER} needs ${PAYER_LOCK_HEADER}: the hex sha256 of a 32-byte secret you show on the retry`,
    );
  const spent = hold ? holdRefundsSpent(p) : undefined;
  if (spent) return holdRefundsLimited(p, c, spent);
  await quoteDelay(p);
  const price = await priceOf(tier, c, p.load);
  if (!price.ok) return unavailable(p, c, price.reason, price.message);
  const ch = await issueChallenge(p.issue, tier, price.priceMsat, hold);
  if (!ch.ok) return unavailable(p, c, ch.reason, ch.message);
  if (hold) {
    const added = await p.holds.add({
      ...ch,
      preimage: ch.preimage!,
      payerLock: payerLock!,
      tier: tier.tier,
      busy: false,
    });
    if (!added.ok) {
      await p.node.cancelInvoice(ch.paymentHash).catch(() => undefined);
      return holdsFull(p, c, added.retryAfterMs);
    }
  }
  emit(p, c, {
    type: 'challenge',
    reason,
    status: 402,
    tier: tier.tier,
    priceMsat: ch.priceMsat,
    paymentHash: ch.paymentHash,
    tokenId: ch.tokenId,
  });
  return challengeResponse(c, ch, {
    service: p.service,
    reason,
    message,
    payOnSuccess: hold,
    buyerRelease: p.buyerRelease,
    tiers: p.tiers,
  });
}

/**
 * 503 `holds_full`: the hold book is full of holds it may not cancel (paid, or in use), no invoice
 * made; Retry-After is when the first of them expires (the book's answer), logged as a warning.
 */
function holdsFull(p: PaywallState, c: Context, retryAfterMs: number): Response {
  const sec = retryAfterSec(retryAfterMs);
  const message = `${p.holds.size} hold invoices are in flight, the most this seller keeps, each paid or in use; retry in ${sec} s, or pay first (without ${PAY_ON_SUCCESS_HEADER})`;
  p.logger.warn({ service: p.service, reason: 'holds_full' }, message);
  return refuse(p, c, 503, 'holds_full', message, { 'Retry-After': String(sec) });
}

/** 429 `hold_refunds_limited`: no pay-on-success refund left (see give-back.ts), no invoice made. */
export function holdRefundsLimited(
  p: PaywallState,
  c: Context,
  spent: { retryAfterSec: number; message: string },
  facts?: Pick<TokenFacts, 'tokenId' | 'paymentHash'>,
): Response {
  const retry = { 'Retry-After': String(spent.retryAfterSec) };
  return refuse(p, c, 429, 'hold_refunds_limited', spent.message, retry, facts);
}

/** The seller's time to quote, slept before the challenge is priced and issued (a bad draw is no delay). */
async function quoteDelay(p: PaywallState): Promise<void> {
  if (!p.quoteDelayMs) return;
  const ms = p.quoteDelayMs();
  if (Number.isFinite(ms) && ms > 0) await p.clock.sleep(ms);
}
