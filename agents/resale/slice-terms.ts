/**
 * What a delivered slice must hold for its buyer's check to pay it: life left
 * for the sub-agent's task after the check, and the calls it was sold with.
 */
import {
  CONDITION_SUFFIX,
  Macaroon,
  readCaveats,
  satisfierForCondition,
  tokenLimits,
} from '../../infra/l402/index.js';
import { sellerCallsLeft, type PurchaseResult } from '../l402/index.js';
import type { DelegatedToken } from './delegate.js';

/**
 * Seconds a slice's macaroon must still live when its check reads it, unless the check sets its own
 * `minLifeSec`: time for the sub-agent's task calls after the check (a reseller selling slices of at
 * most this long is refused, `checkResellerOptions`).
 */
export const DEFAULT_MIN_SLICE_LIFE_SEC = 60;

/** Why a check's `minLifeSec` is not a whole number of seconds, 0 or more, or undefined. */
export function badMinLife(minLifeSec: number | undefined): string | undefined {
  if (minLifeSec === undefined || (Number.isSafeInteger(minLifeSec) && minLifeSec >= 0)) return undefined;
  return `the check's minLifeSec must be a whole number of seconds, 0 or more, got ${String(minLifeSec)}: nothing was bought; pass the seconds the task's calls need after the check (default ${DEFAULT_MIN_SLICE_LIFE_SEC})`;
}

/**
 * When a macaroon stops working at the latest: the earliest `<service>_valid_until` in its chain,
 * whatever its service (ms), or undefined without one. A slice's check reads this, not the expiry of
 * the service its body names: a caveat for another service cannot make a token live longer, and the
 * check stays on the safe side of whichever the origin applies. Read with the verifier's caveat reader;
 * throws L402Error for a chain it would refuse.
 */
export function earliestExpiryMs(macaroon: string): number | undefined {
  const chain = Macaroon.fromBase64(macaroon).caveatBytes;
  let earliest: number | undefined;
  for (const [condition, list] of readCaveats(chain, satisfierForCondition)) {
    if (!condition.endsWith(CONDITION_SUFFIX.validUntil)) continue;
    for (const o of list) earliest = Math.min(earliest ?? Infinity, (o.value as number) * 1000);
  }
  return earliest;
}

/**
 * Why a slice whose macaroon expires at `validUntilMs` (its `valid_until`) lives less than
 * `minLifeSec` more from `nowMs`, or undefined (no expiry, or enough life).
 */
export function shortLived(
  validUntilMs: number | undefined,
  nowMs: number,
  minLifeSec: number,
): string | undefined {
  const left = validUntilMs === undefined ? Infinity : validUntilMs - nowMs;
  if (left > 0 && left >= minLifeSec * 1000) return undefined;
  const when = left > 0 ? `expires in ${left} ms` : `expired ${-left} ms ago`;
  return `the slice's macaroon ${when}, less than the ${minLifeSec} s its check asks (minLifeSec): it was not used, and its hold is canceled`;
}

/**
 * Why a slice whose first call succeeded still holds fewer calls than it was sold with, or
 * undefined: its body's `calls` above its macaroon's `max_calls`, or, after that call, the origin's
 * `L402-Calls-Remaining` below the rest of them. This repository's paywall refuses that first call
 * when the slice's calls do not fit in its bundle (the call reserves them all), so the header tells
 * of origins that count otherwise, and of a slice with its bundle's own `max_calls` (no counter of
 * its own: it shares the bundle's). An origin that does not send the header is taken at its first call.
 */
export function shortOfSold(slice: DelegatedToken, call: PurchaseResult): string | undefined {
  const own = tokenLimits(slice.macaroon, slice.service).maxCalls;
  if (slice.calls !== undefined && own !== undefined && slice.calls > own)
    return `the slice is sold as ${slice.calls} calls but its macaroon allows ${own}`;
  const sold = slice.calls ?? own;
  const left = sellerCallsLeft(call.response);
  if (sold === undefined || left === undefined || left >= sold - 1) return undefined;
  return `after the slice's first call the origin leaves it ${left} calls, not the ${sold - 1} more it was sold with: its bundle is oversold`;
}
