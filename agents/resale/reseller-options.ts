import { LabError } from '../../infra/errors.js';
import type { Minter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaywallEventListener } from '../../services/paywall/index.js';
import type { L402Client, PurchaseHints, PurchaseResult } from '../l402/index.js';
import type { CreditLimit } from './slice-credit.js';
import { DEFAULT_MIN_SLICE_LIFE_SEC } from './slice-terms.js';
import type { UpstreamBackoff } from './upstream-breaker.js';

/** What a reseller buys, what it sells, and how greedily. */
export interface ResellerOptions {
  name: string;
  /** The reseller's own node: slice buyers pay it. */
  node: LightningNode;
  /** The reseller's own minter: its paywall issues its own tokens for slices. */
  minter: Minter;
  clock: Clock;
  /**
   * Preimages for hold invoices (slices are sold pay-on-success with buyer
   * release: no working slice, no money). Default: the OS CSPRNG.
   */
  secrets?: SecretSource;
  /** Buys bundles upstream, paying from the reseller's node. */
  client: L402Client;
  /**
   * The origin resource and the tier to buy there (a bundle or a time pass). `calls`: the calls
   * its bundle is advertised to hold (its listing's tier), when known: slices that would not fit
   * in it are refused at construction. A bundle bought is sliced by the calls it does hold.
   */
  upstream: { url: string; tier?: number; calls?: number; hints?: PurchaseHints };
  /**
   * One slice: calls, lifetime, price, optional path binding. A bundle is
   * sliced only while it lives at least `validForSec` more, so every slice
   * gets its whole lifetime; one expiring sooner is dropped and a new one bought.
   * `validForSec` must be above `DEFAULT_MIN_SLICE_LIFE_SEC` (60): a buyer's
   * check refuses, unpaid, a slice with less left by default, and a slice's
   * life (its expiry rounded down to a whole second) runs from its cut, before
   * its delivery.
   */
  slice: { calls: number; validForSec: number; priceMsat: Msat; pathPrefix?: string };
  /**
   * Slices sold per bundle, at most. Default: as many as the bundle's calls
   * cover (floor(calls / slice calls)). Never more than that: more would sell
   * slices the origin then refuses (`quota_exhausted`), so options asking
   * more than `upstream.calls` covers are refused at construction, and a
   * bundle bought with fewer calls (another tier than advertised) is sliced
   * by its own calls, the next slice cut from a new bundle. The calls already
   * sliced are counted on the stored bundle token (its `callsUsed`), so a
   * reseller restarted over the same token store sells only what is left of it.
   * With `oversell` it is sold as asked, whatever the bundle holds.
   */
  slicesPerBundle?: number;
  /**
   * A dishonest reseller for testing buyers' defences: sells `slicesPerBundle` slices per
   * bundle even when the bundle cannot serve them (no check against `upstream.calls`, no
   * cap by the calls a bundle bought holds), so its last slices are refused at the origin
   * (`quota_exhausted`). Needs `slicesPerBundle`. Default false: never oversells.
   */
  oversell?: boolean;
  /**
   * Slices let out unpaid (delivered, then canceled or never answered) per
   * window, the paid retries still waiting for theirs included; beyond it
   * `/slice` answers 503 `credit_exhausted` with Retry-After and sells
   * nothing. Default `DEFAULT_CREDIT_LIMIT`.
   */
  creditLimit?: CreditLimit;
  /**
   * Seconds a paid retry waits for its slice, an upstream purchase included,
   * before `/slice` answers 503 `upstream_unavailable` and cancels the buyer's
   * hold. Default `DEFAULT_UPSTREAM_TIMEOUT_SEC` (10; a buyer waits 30).
   */
  upstreamTimeoutSec?: number;
  /**
   * The upstream breaker's back-off: after an upstream failure `/slice`
   * answers 503 `upstream_unavailable` with Retry-After and buys nothing.
   * Default `DEFAULT_UPSTREAM_BACKOFF`.
   */
  upstreamBackoff?: UpstreamBackoff;
  logger?: Logger;
  onEvent?: PaywallEventListener;
  /**
   * Told each bundle check's call at the origin (`probeBundle`): its request's tag
   * (`<name>/bundle-check-<k>`, k counting the checks from 0) and its purchase record, a held
   * token's call that paid nothing.
   */
  onBundleCheck?: (tag: string, call: PurchaseResult) => void;
}

/**
 * Throws LabError('invalid_reseller_options') naming the first count that is
 * not a positive safe integer (a 0-call, already expired or fractional slice
 * would be sold, or never be cut), a slice lifetime no buyer's default
 * check would pay, slices that do not fit in the advertised bundle
 * (`upstream.calls`, `slicesMisfit`; not checked for a reseller set to
 * `oversell`), or `oversell` without `slicesPerBundle`.
 */
export function checkResellerOptions(o: ResellerOptions): void {
  const b = o.upstreamBackoff;
  const counts: [string, unknown, boolean][] = [
    ['slice.calls', o.slice.calls, true],
    ['slice.validForSec', o.slice.validForSec, true],
    ['slicesPerBundle', o.slicesPerBundle, false],
    ['upstream.calls', o.upstream.calls, false],
    ['creditLimit.slices', o.creditLimit?.slices, o.creditLimit !== undefined],
    ['creditLimit.windowSec', o.creditLimit?.windowSec, o.creditLimit !== undefined],
    ['upstreamTimeoutSec', o.upstreamTimeoutSec, false],
    ['upstreamBackoff.firstSec', b?.firstSec, b !== undefined],
    ['upstreamBackoff.maxSec', b?.maxSec, b !== undefined],
    ['upstreamBackoff.deadAfterRefusals', b?.deadAfterRefusals, b !== undefined],
  ];
  for (const [field, value, required] of counts) {
    if (value === undefined && !required) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new LabError(
        'invalid_reseller_options',
        `reseller ${o.name}: ${field} must be a positive whole number, got ${String(value)}; pass an integer of at least 1`,
      );
  }
  if (o.slice.validForSec <= DEFAULT_MIN_SLICE_LIFE_SEC)
    throw new LabError(
      'invalid_reseller_options',
      `reseller ${o.name}: slice.validForSec ${o.slice.validForSec} is not above the ${DEFAULT_MIN_SLICE_LIFE_SEC} s of life a buyer's slice check asks by default (DEFAULT_MIN_SLICE_LIFE_SEC): a slice is cut with at most that much life and loses some to its expiry's whole-second rounding and its delivery, so buyers would refuse it unpaid; set slice.validForSec above ${DEFAULT_MIN_SLICE_LIFE_SEC}, with room for the buyer's calls (600: 10 minutes)`,
    );
  if (o.oversell && o.slicesPerBundle === undefined)
    throw new LabError(
      'invalid_reseller_options',
      `reseller ${o.name}: oversell is set without slicesPerBundle, so there is no count of slices to oversell; set slicesPerBundle to the slices to sell per bundle, or leave oversell out`,
    );
  const misfit = !o.oversell && o.upstream.calls !== undefined && slicesMisfit(o, o.upstream.calls);
  if (misfit) throw new LabError('invalid_reseller_options', `reseller ${o.name}: ${misfit}`);
  if (b && b.maxSec < b.firstSec)
    throw new LabError(
      'invalid_reseller_options',
      `reseller ${o.name}: upstreamBackoff.maxSec (${b.maxSec}) is below firstSec (${b.firstSec}); raise maxSec`,
    );
}

/**
 * Why the slices asked do not fit in a `bundleCalls`-call bundle, or undefined: a slice of more
 * calls than the bundle holds, or `slicesPerBundle` slices of more calls in all (the last would be
 * sold and refused at the origin).
 */
export function slicesMisfit(
  o: Pick<ResellerOptions, 'slice' | 'slicesPerBundle'>,
  bundleCalls: number,
): string | undefined {
  const { calls } = o.slice;
  if (calls > bundleCalls)
    return `slice.calls ${calls} is more than the ${bundleCalls} calls of the upstream bundle (upstream.calls): no slice fits in it; lower slice.calls to at most ${bundleCalls}, or buy a bigger tier`;
  const per = o.slicesPerBundle;
  if (per === undefined || per * calls <= bundleCalls) return undefined;
  return `slicesPerBundle ${per} × slice.calls ${calls} is ${per * calls} calls, more than the ${bundleCalls} calls of the upstream bundle (upstream.calls): the last slices would be sold and refused at the origin; lower slicesPerBundle to at most ${Math.floor(bundleCalls / calls)}, or leave it out (oversell: true makes a reseller that oversells on purpose)`;
}
