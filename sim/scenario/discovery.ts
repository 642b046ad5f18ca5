import { tierBasePrice, unitPriceMsat } from '../../services/sellers/index.js';
import { ARCHETYPE_CAPABILITY, type Scenario, type SellerSpec } from './schema.js';

/**
 * Which sellers a registry search can return, worked out from the scenario
 * alone, the way the registry answers: sellers of the capability (and the
 * task's category, when the seller names one) whose entry price is at most
 * the search's maximum, cheapest first, `registry.searchLimit` of them.
 * Prices are those listed when the run starts (repricing sellers move later).
 * Sellers at the same price are ordered by listing id, which the scenario does
 * not fix, so only how many of a tie fit is known, not which.
 */

/** One search the market makes: a buyer group's task, a seller's upstream purchase, a reseller's restock. */
export interface PlannedSearch {
  capability: string;
  category?: string;
  /** The most a listing's entry price may be (the task's highest value); none for resellers. */
  maxPriceMsat: number;
}

/** A seller group as a search sees its members. */
export interface AdvertisedGroup {
  name: string;
  count: number;
  capability: string;
  category?: string;
  /** The cheapest tier's advertised price (dynamic sellers advertise their ceiling). */
  entryMsat: number;
}

/** Where a group lands in the searches for its capability. */
export interface GroupReach {
  group: AdvertisedGroup;
  /** The most members any one search can return. */
  maxFound: number;
  /** The smallest search limit that returns every member in some search (undefined: none passes the filters). */
  limitNeeded: number | undefined;
  /** The highest maximum price among searches for its capability (undefined: nobody searches for it). */
  highestMaxMsat: number | undefined;
}

/** The entry price a seller group's listing shows. */
export function entryPriceMsat(spec: SellerSpec): number {
  const unit = unitPriceMsat(spec.price);
  const prices = spec.tiers.map((t) => tierBasePrice(t, unit));
  const entry = Math.min(...prices);
  const p = spec.price;
  return p.kind === 'dynamic' ? Math.ceil((entry * p.maxMsat) / p.baseMsat) : entry;
}

/** The highest value a task's value distribution can draw (a normal one has no bound). */
function highestValue(v: Scenario['buyers'][number]['tasks'][number]['value']): number {
  if (v.dist === 'fixed') return v.msat;
  if (v.dist === 'uniform') return v.maxMsat;
  return Number.POSITIVE_INFINITY;
}

/** Every search the scenario's agents make. */
export function plannedSearches(s: Scenario): PlannedSearch[] {
  const out: PlannedSearch[] = [];
  for (const b of s.buyers)
    for (const t of b.tasks)
      out.push({
        capability: t.capability,
        ...(t.category !== undefined && { category: t.category }),
        maxPriceMsat: highestValue(t.value),
      });
  for (const g of s.sellers)
    for (const u of g.upstream)
      out.push({ capability: u.capability, maxPriceMsat: u.maxPriceMsat ?? unitPriceMsat(g.price) });
  for (const r of s.resellers) out.push({ capability: r.capability, maxPriceMsat: Number.POSITIVE_INFINITY });
  return out;
}

/** Every seller group as listed. */
export function advertisedGroups(s: Scenario): AdvertisedGroup[] {
  return s.sellers.map((g) => ({
    name: g.name,
    count: g.count,
    capability: ARCHETYPE_CAPABILITY[g.archetype],
    ...(g.category !== undefined && { category: g.category }),
    entryMsat: entryPriceMsat(g),
  }));
}

const passes = (g: AdvertisedGroup, q: PlannedSearch): boolean =>
  g.capability === q.capability &&
  (q.category === undefined || g.category === undefined || g.category === q.category) &&
  g.entryMsat <= q.maxPriceMsat;

/** How far each seller group gets into the searches for its capability, with `limit` results per search. */
export function groupReach(s: Scenario, limit = s.registry.searchLimit): GroupReach[] {
  const groups = advertisedGroups(s);
  const searches = plannedSearches(s);
  return groups.map((group) => {
    let maxFound = 0;
    let limitNeeded: number | undefined;
    let highestMaxMsat: number | undefined;
    for (const q of searches) {
      if (q.capability !== group.capability) continue;
      highestMaxMsat = Math.max(highestMaxMsat ?? 0, q.maxPriceMsat);
      if (!passes(group, q)) continue;
      const hits = groups.filter((g) => passes(g, q));
      const cheaper = hits.filter((g) => g.entryMsat < group.entryMsat).reduce((n, g) => n + g.count, 0);
      const tied = hits.filter((g) => g.entryMsat === group.entryMsat).reduce((n, g) => n + g.count, 0);
      maxFound = Math.max(maxFound, Math.min(group.count, Math.max(0, limit - cheaper)));
      limitNeeded = Math.min(limitNeeded ?? Infinity, cheaper + tied);
    }
    return { group, maxFound, limitNeeded, highestMaxMsat };
  });
}
