/**
 * What a call the handler failed gives back to its buyer, and how much.
 *
 * - A paid call answered 5xx (or a throw) goes back to each `max_calls`
 *   quota of its token (`releaseQuotaOnServerError`), but each quota gives
 *   back at most `maxCallsGivenBack` calls (default: as many as the quota
 *   holds, so a token of N calls runs the handler at most 2N times, N of
 *   them free). Past it a 5xx uses its call like any other answer: a buyer
 *   who found an input that fails after costly work cannot repeat it forever
 *   on one payment.
 * - A pay-on-success call the handler did not deliver is refunded (the hold
 *   canceled), and every such call is a new hold, so no token can bound it:
 *   the paywall refunds at most `holdRefundRate` of them across all buyers
 *   (default `DEFAULT_HOLD_REFUND_RATE`). While none is left, a request for
 *   a hold invoice, and the retry of one, is 429 `hold_refunds_limited`.
 */
import { LabError } from '../../infra/errors.js';
import type { TokenFacts } from '../../infra/l402/index.js';
import type { Logger } from '../../infra/log.js';
import { PAY_ON_SUCCESS_HEADER } from './headers.js';
import type { L402PaywallOptions } from './options.js';
import type { QuotaStore } from './quota-store.js';
import { retryAfterSec, type RateLimit, type TokenBucketLimiter } from './rate-limiter.js';

/**
 * How many pay-on-success calls the handler did not deliver a paywall refunds when
 * `holdRefundRate` is not given: 60 a minute across all buyers, bursts of 60. Free failed runs
 * are then at most 3,600 an hour whatever buyers do, while a seller failing one call in ten
 * still sells 600 pay-on-success calls a minute before the bound is reached.
 */
export const DEFAULT_HOLD_REFUND_RATE: Readonly<RateLimit> = Object.freeze({ calls: 60, perMs: 60_000 });

const fail = (m: string): never => {
  throw new LabError('invalid_paywall_options', m);
};

/** Checks `maxCallsGivenBack` and `holdRefundRate` (a LabError 'invalid_paywall_options' names the bad one). */
export function checkGiveBackOptions(o: L402PaywallOptions): void {
  const m = o.maxCallsGivenBack;
  if (m !== undefined) {
    if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 1)
      fail(
        `options.maxCallsGivenBack must be a positive integer, got ${String(m)} (to give no call back, set releaseQuotaOnServerError: false)`,
      );
    if (o.releaseQuotaOnServerError === false)
      fail(
        'options.maxCallsGivenBack needs releaseQuotaOnServerError: true; with false no call is given back',
      );
  }
  const r = o.holdRefundRate;
  if (r === undefined) return;
  if (o.payOnSuccess !== true) fail('options.holdRefundRate needs payOnSuccess: true');
  const calls = (r as Partial<RateLimit> | null)?.calls;
  const perMs = (r as Partial<RateLimit> | null)?.perMs;
  if (!Number.isSafeInteger(calls) || calls! < 1 || !Number.isFinite(perMs) || perMs! <= 0)
    fail(
      `options.holdRefundRate needs calls, a positive integer, and perMs, a positive number of ms (calls per perMs ms), got ${JSON.stringify(r)}`,
    );
}

/** The bound on refunded pay-on-success calls: the one given, the default with pay-on-success, else none. */
export function holdRefundRate(o: L402PaywallOptions): RateLimit | undefined {
  if (!o.payOnSuccess) return undefined;
  return o.holdRefundRate
    ? { calls: o.holdRefundRate.calls, perMs: o.holdRefundRate.perMs }
    : { ...DEFAULT_HOLD_REFUND_RATE };
}

/** What giving a failed call back needs (a PaywallState fits). */
export interface GiveBackDeps {
  readonly service: string;
  readonly quotaStore: QuotaStore;
  readonly maxCallsGivenBack: number | undefined;
  readonly logger: Logger;
}

/**
 * Gives the call of a failed handler run back to the token's quotas, unless one has given back its
 * bound: then the call stays counted and the seller's log says so. True when it was given back.
 */
export async function giveBack(p: GiveBackDeps, facts: TokenFacts): Promise<boolean> {
  const r = await p.quotaStore.release(facts, p.maxCallsGivenBack);
  if (r.ok) return true;
  p.logger.warn(
    { service: p.service, tokenId: facts.tokenId, quota: r.key, givenBack: r.limit },
    `a failed call of token ${facts.tokenId.slice(0, 16)}… is counted: its quota has had ${r.limit} calls given back, the most it gets`,
  );
  return false;
}

/** What the hold-refund bound needs (a PaywallState fits). */
export interface HoldRefundDeps {
  readonly service: string;
  readonly holdRefunds: { rate: RateLimit; limiter: TokenBucketLimiter } | undefined;
}

/** While the paywall has no refund left: how long until it has one, and the message saying so. */
export function holdRefundsSpent(p: HoldRefundDeps): { retryAfterSec: number; message: string } | undefined {
  const d = p.holdRefunds?.limiter.peek(p.service);
  if (!d || d.ok) return undefined;
  const { calls, perMs } = p.holdRefunds!.rate;
  const sec = retryAfterSec(d.retryAfterMs);
  const per = perMs % 1000 === 0 ? `${perMs / 1000} s` : `${perMs} ms`;
  return {
    retryAfterSec: sec,
    message: `this seller refunds at most ${calls} pay-on-success calls it did not deliver per ${per}, and has none left; retry in ${sec} s, or pay first (without ${PAY_ON_SUCCESS_HEADER})`,
  };
}

/** Counts one pay-on-success call whose handler ran and did not deliver (its hold is being canceled). */
export function countHoldRefund(p: HoldRefundDeps): void {
  p.holdRefunds?.limiter.take(p.service);
}
