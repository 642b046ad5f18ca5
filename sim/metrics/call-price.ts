import type { PurchaseRow } from './rows.js';

/**
 * The price per call a purchase paid: its payment over the calls its token bought (`tierCalls`: 1 for a
 * single call, N for a bundle or a slice of N), so a bundle and a single call compare. None (null) for a row
 * that paid nothing; for a reseller's restock (role `reseller`: a cost of the slices it resells, in
 * `resale.<reseller>`, not a price of a call); and for a token without a count of calls (a time pass, a tier
 * its seller does not list), whose price per call is not known. summary.json's `prices`,
 * `money.meanPaidMsat` and `series.points[].meanPriceMsat`, the report's price scatter and the sweep's
 * `priceCv` are all over these prices.
 */
export function pricePerCall(r: Pick<PurchaseRow, 'role' | 'paidMsat' | 'tierCalls'>): number | null {
  if (r.paidMsat <= 0 || r.role === 'reseller' || r.tierCalls === undefined || r.tierCalls < 1) return null;
  return r.paidMsat / r.tierCalls;
}
