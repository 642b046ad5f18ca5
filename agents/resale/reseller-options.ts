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
  /** The origin resource and the tier to buy there (a bundle or a time pass). */
  upstream: { url: string; tier?: number; hints?: PurchaseHints };
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
   * Slices sold per bundle. Default: as many as the bundle's calls cover
   * (floor(calls / slice calls)); more than that oversells, and the origin's
   * shared quota makes the last buyers meet `quota_exhausted`. Either way the
   * calls already sliced are counted on the stored bundle token (its
   * `callsUsed`), so a reseller restarted over the same token store sells
   * only what is left of it.
   */
  slicesPerBundle?: number;
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
 * would be sold, or never be cut), or a slice lifetime no buyer's default
 * check would pay.
 */
export function checkResellerOptions(o: ResellerOptions): void {
  const b = o.upstreamBackoff;
  const counts: [string, unknown, boolean][] = [
    ['slice.calls', o.slice.calls, true],
    ['slice.validForSec', o.slice.validForSec, true],
    ['slicesPerBundle', o.slicesPerBundle, false],
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
  if (b && b.maxSec < b.firstSec)
    throw new LabError(
      'invalid_reseller_options',
      `reseller ${o.name}: upstreamBackoff.maxSec (${b.maxSec}) is below firstSec (${b.firstSec}); raise maxSec`,
    );
}
