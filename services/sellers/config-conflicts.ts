/**
 * Seller config fields each valid alone that contradict each other, or that
 * together make a price the paywall refuses: checked by `parseSellerConfig`
 * and by a scenario's seller groups (sim/scenario/checks.ts).
 */
import type { SellerConfig, SellerTier } from './config.js';
import { tierBasePrice, tierCalls, unitPriceMsat } from './tier-price.js';

/** The fields `sellerConfigConflicts` reads (a scenario's seller group has them too). */
export type ConflictFields = Pick<
  SellerConfig,
  'payOnSuccess' | 'holdRefundRate' | 'maxCallsGivenBack' | 'adversarial' | 'tiers' | 'price'
>;

/** Fields each valid alone that contradict each other: the field to edit (as written) and why. */
export function sellerConfigConflicts(c: ConflictFields): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (c.holdRefundRate && !c.payOnSuccess)
    out.push({
      path: 'holdRefundRate',
      message: 'holdRefundRate needs payOnSuccess: true (it bounds refunds of pay-on-success calls)',
    });
  if (c.maxCallsGivenBack && c.adversarial?.mode === 'no-delivery')
    out.push({
      path: 'maxCallsGivenBack',
      message: 'a no-delivery seller gives no call back; drop maxCallsGivenBack or the adversarial mode',
    });
  else if (c.maxCallsGivenBack && c.maxCallsGivenBack > mostQuotaCalls(c.tiers))
    out.push({ path: 'maxCallsGivenBack', message: overQuota(mostQuotaCalls(c.tiers)) });
  return [...out, ...tierPriceConflicts(c)];
}

/**
 * Tiers whose price can exceed the largest safe integer msat (the paywall's bound on a price): the
 * highest each can be charged, as `paywallTiersOf` (seller-pricing.ts) derives it, is its base
 * price times an overcharging seller's factor, at the dynamic price's `maxMsat`.
 */
function tierPriceConflicts(c: ConflictFields): { path: string; message: string }[] {
  const p = c.price;
  const unit = unitPriceMsat(p);
  const factor = c.adversarial?.mode === 'overcharge' ? c.adversarial.factor : 1;
  return c.tiers.flatMap((t, i) => {
    const base = tierBasePrice(t, unit);
    const top =
      p.kind === 'fixed' ? Math.ceil(base * factor) : Math.ceil((base * p.maxMsat * factor) / p.baseMsat);
    if (Number.isSafeInteger(top)) return [];
    const how = [
      t.priceMsat !== undefined ? `its priceMsat ${base}` : tierBaseWording(t, unit),
      ...(p.kind === 'dynamic' ? [`scaled by up to maxMsat / baseMsat = ${p.maxMsat} / ${p.baseMsat}`] : []),
      ...(factor !== 1 ? [`× the overcharge factor ${factor}`] : []),
    ];
    return [
      {
        path: `tiers[${i}]`,
        message:
          `its price comes to ${top} msat (${how.join(', ')}), above the most a price can be ` +
          `(${Number.MAX_SAFE_INTEGER} msat); ${lowerPrice(t, p)}`,
      },
    ];
  });
}

/** What to lower so that a tier's price stays a safe integer. */
function lowerPrice(t: SellerTier, p: ConflictFields['price']): string {
  if (t.priceMsat !== undefined) return 'lower its priceMsat';
  return `lower ${p.kind === 'fixed' ? 'price.msat' : 'price.maxMsat'}, or give this tier its own priceMsat`;
}

/** How a tier's price follows from the unit price, in words. */
function tierBaseWording(t: SellerTier, unit: number): string {
  if (t.kind === 'single') return `the unit price ${unit} msat`;
  if (t.kind === 'bundle') return `80% of ${t.calls} calls at ${unit} msat`;
  return `${tierCalls(t)} minutes at ${unit} msat, a call a minute`;
}

/** The most calls a token of these tiers holds in its quota (0: passes only, no quota). */
function mostQuotaCalls(tiers: SellerTier[]): number {
  return Math.max(0, ...tiers.map((t) => (t.kind === 'pass' ? 0 : tierCalls(t))));
}

/** Why a `maxCallsGivenBack` above every quota is refused. */
function overQuota(most: number): string {
  if (most === 0)
    return 'this seller sells only passes, whose tokens have no call quota to give calls back to; drop maxCallsGivenBack';
  return `expected at most ${most}, the most calls a token of this seller holds (a quota never gets back more calls than it holds)`;
}
