/**
 * What a call the handler failed gives back to its buyer, and how much.
 *
 * - A paid call answered 5xx (or a throw) goes back to each `max_calls`
 *   quota of its token (`releaseQuotaOnServerError`), but each quota gives
 *   back at most `maxCallsGivenBack` calls and never more than it holds
 *   (the default), so a token of N calls runs the handler at most 2N times,
 *   N of them free. Past it a 5xx uses its call like any other answer: a buyer
 *   who found an input that fails after costly work cannot repeat it forever
 *   on one payment.
 * - A pay-on-success call the handler did not deliver is refunded (the hold
 *   canceled), and every such call is a new hold, so no token can bound it:
 *   the paywall refunds at most `holdRefundRate` of them across all buyers
 *   (default `DEFAULT_HOLD_REFUND_RATE`). Each retry reserves one refund
 *   before its handler runs and gives it back once the call is delivered, so
 *   retries sent at once cannot all pass before any has failed (pay-on-success
 *   handlers running at once are bounded by the refunds left). While none is
 *   left, a request for a hold invoice, and the retry of one, is 429
 *   `hold_refunds_limited`.
 * - A paid call refused after the paywall before its handler ran (the
 *   seller's capacity gate found every slot taken: `markNotRun`) is no
 *   failure: its call goes back uncounted, whatever the bound and
 *   `releaseQuotaOnServerError`, and its hold is canceled without using a
 *   refund.
 * - A canceled hold's token can never be presented again (its preimage is
 *   never revealed), so its call counters are dropped (`QuotaStore.forget`).
 */
import type { Context } from 'hono';
import { LabError } from '../../infra/errors.js';
import type { TokenFacts } from '../../infra/l402/index.js';
import type { Logger } from '../../infra/log.js';
import { PAY_ON_SUCCESS_HEADER } from './headers.js';
import type { L402PaywallOptions } from './options.js';
import type { QuotaStore, ReleaseResult } from './quota-store.js';
import {
  rateLimitProblem,
  retryAfterSec,
  type RateDecision,
  type RateLimit,
  type TokenBucketLimiter,
} from './rate-limiter.js';

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
  const problem = rateLimitProblem('options.holdRefundRate', r);
  if (problem) fail(problem);
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
  const r = await release(p, facts, p.maxCallsGivenBack, false);
  if (r === undefined) return false;
  if (r.ok) return true;
  p.logger.warn(
    { service: p.service, tokenId: facts.tokenId, quota: r.key, givenBack: r.limit },
    `a failed call of token ${facts.tokenId.slice(0, 16)}… is counted: its quota has had ${r.limit} calls given back, the most it gets`,
  );
  return false;
}

const NOT_RUN = 'l402HandlerNotRun';

/**
 * Marks a paid call refused behind the paywall before its handler ran (a capacity gate with every
 * slot taken): the paywall gives its call back without counting it against `maxCallsGivenBack`, or
 * cancels its hold without using a `holdRefundRate` refund. Call it only with a refusal (a non-2xx).
 */
export function markNotRun(c: Context): void {
  c.set(NOT_RUN, true);
}

/** True when the call was refused before its handler ran (`markNotRun`). */
export function wasNotRun(c: Context): boolean {
  return c.get(NOT_RUN) === true;
}

/** Gives back the call of a handler that never ran: always, and counted as no given-back call. True when given back. */
export async function giveBackNotRun(p: GiveBackDeps, facts: TokenFacts): Promise<boolean> {
  return (await release(p, facts, undefined, true)) !== undefined;
}

/**
 * `QuotaStore.release`, or undefined when the store failed (a remote store's timeout): logged, and
 * the call stays counted. The handler has answered by then; that answer stands.
 */
async function release(
  p: GiveBackDeps,
  facts: TokenFacts,
  maxGivenBack: number | undefined,
  notRun: boolean,
): Promise<ReleaseResult | undefined> {
  try {
    return await p.quotaStore.release(facts, maxGivenBack, notRun);
  } catch (err) {
    p.logger.error(
      { err, service: p.service, tokenId: facts.tokenId },
      `the quota store could not give back a call of token ${facts.tokenId.slice(0, 16)}… (${notRun ? 'refused before its handler ran' : 'its handler failed'}); it stays counted`,
    );
    return undefined;
  }
}

/**
 * Drops the call counters of a canceled hold's token: without its preimage it can never be presented
 * again, and with no token lifetime they would otherwise be kept for ever. A store that fails is logged.
 */
export async function forgetCanceledHold(
  p: Omit<GiveBackDeps, 'maxCallsGivenBack'>,
  tokenId: string,
): Promise<void> {
  try {
    await p.quotaStore.forget(tokenId);
  } catch (err) {
    p.logger.warn(
      { err, service: p.service, tokenId },
      `the quota store could not drop the counters of canceled hold token ${tokenId.slice(0, 16)}…; they stay until the store drops them`,
    );
  }
}

/** What the hold-refund bound needs (a PaywallState fits). */
export interface HoldRefundDeps {
  readonly service: string;
  readonly holdRefunds: { rate: RateLimit; limiter: TokenBucketLimiter } | undefined;
}

/** A refusal for want of a refund: how long until one is back, and the message saying so. */
export type HoldRefundsSpent = { retryAfterSec: number; message: string };

/**
 * While the paywall has no refund left: how long until it has one, and the message saying so.
 * A peek, taking none: issuing a hold invoice runs no handler (its retry reserves one).
 */
export function holdRefundsSpent(p: HoldRefundDeps): HoldRefundsSpent | undefined {
  return spentOf(p, p.holdRefunds?.limiter.peek(p.service));
}

/**
 * Reserves one refund before a pay-on-success handler runs: undefined when reserved (or unbounded),
 * else the refusal. Taken before the run, not counted after it, so calls running at once cannot all
 * pass one check; the reservation is used up when the call is refunded, given back when it is not.
 */
export function reserveHoldRefund(p: HoldRefundDeps): HoldRefundsSpent | undefined {
  return spentOf(p, p.holdRefunds?.limiter.take(p.service));
}

/** Gives a reservation back: its call was delivered, or refused before the handler ran. */
export function returnHoldRefund(p: HoldRefundDeps): void {
  p.holdRefunds?.limiter.put(p.service);
}

function spentOf(p: HoldRefundDeps, d: RateDecision | undefined): HoldRefundsSpent | undefined {
  if (!d || d.ok) return undefined;
  const { calls, perMs } = p.holdRefunds!.rate;
  const sec = retryAfterSec(d.retryAfterMs);
  const per = perMs % 1000 === 0 ? `${perMs / 1000} s` : `${perMs} ms`;
  return {
    retryAfterSec: sec,
    message: `this seller refunds at most ${calls} pay-on-success calls it did not deliver per ${per}, and has none left; retry in ${sec} s, or pay first (without ${PAY_ON_SUCCESS_HEADER})`,
  };
}
