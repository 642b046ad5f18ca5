/** What each tier of a seller costs, from its unit price: the advertised prices and what they count. */
import type { PriceStrategy, SellerTier } from './config.js';

/** The advertised unit price: the fixed price, or the dynamic base. */
export function unitPriceMsat(p: PriceStrategy): number {
  return p.kind === 'fixed' ? p.msat : p.baseMsat;
}

/**
 * A tier's advertised price: its own `priceMsat`, or from the unit price —
 * single = unit, bundle = 80% of calls × unit, pass = unit per minute of
 * duration (a call a minute at full price).
 */
export function tierBasePrice(t: SellerTier, unitMsat: number): number {
  if (t.priceMsat !== undefined) return t.priceMsat;
  if (t.kind === 'bundle') return Math.max(1, Math.floor((unitMsat * t.calls * 4) / 5));
  return unitMsat * tierCalls(t);
}

/**
 * How many calls a tier's price is for: 1, a bundle's calls, or a pass's minutes (a pass is priced as
 * a call a minute). A negotiation floor per call holds for a tier at this many times the floor.
 */
export function tierCalls(t: SellerTier): number {
  if (t.kind === 'single') return 1;
  if (t.kind === 'bundle') return t.calls;
  return Math.max(1, Math.ceil(t.durationSec / 60));
}

/** A tier's default display name. */
export function tierName(t: SellerTier): string {
  if (t.name) return t.name;
  if (t.kind === 'single') return 'single call';
  if (t.kind === 'bundle') return `${t.calls}-call bundle`;
  return `${t.durationSec}-second pass`;
}
