import { tierBasePrice, unitPriceMsat } from '../../services/sellers/index.js';
import { searchPriceMsat } from '../../services/registry/search-price.js';
import type { SearchTier, TierKind } from '../../services/registry/types.js';
import {
  ARCHETYPE_CAPABILITY,
  type BuyerSpec,
  type Scenario,
  type SellerSpec,
  type TaskTypeSpec,
} from './schema.js';

/**
 * Which sellers a registry search can return, worked out from the scenario
 * alone, the way the registry answers: sellers of the capability (and the
 * task's category, when the seller names one) whose price for the search's
 * tier (a buyer's preferred kind, else each listing's first tier; see
 * `searchPriceMsat`) is at most the search's maximum, cheapest first,
 * `registry.searchLimit` of them. Prices are those listed when the run
 * starts (repricing sellers move later). Sellers at the same price are
 * ordered by listing id, which the scenario does not fix, so only how many
 * of a tie fit is known, not which.
 */

/** One search the market makes: a buyer group's task, a seller's upstream purchase, a reseller's restock. */
export interface PlannedSearch {
  capability: string;
  category?: string;
  /** The most a listing's price for `tier` may be (the task's highest value); none for resellers. */
  maxPriceMsat: number;
  /** The tier whose price the search reads: a buyer group's `prefer`, `default` without one; resellers: `bundle`. */
  tier: SearchTier;
  /** Only listings that list a tier of this kind (`sells=`): a reseller's search, for a bundle. */
  sells?: TierKind;
  /** The searcher buys from the first result only, whatever the search limit (a reseller's origin). */
  firstOnly?: true;
}

/** A seller group as a search sees its members. */
export interface AdvertisedGroup {
  name: string;
  count: number;
  capability: string;
  category?: string;
  /** The advertised price each kind of search reads (dynamic sellers advertise their ceiling). */
  priceMsat: Record<SearchTier, number>;
  /** The kinds of tier its listing lists. */
  sells: ReadonlySet<TierKind>;
}

/** Where a group lands in the searches for its capability. */
export interface GroupReach {
  group: AdvertisedGroup;
  /** The most members any one search can return. */
  maxFound: number;
  /**
   * The smallest search limit that returns every member in some search that reads past its first
   * result (undefined: none passes the filters).
   */
  limitNeeded: number | undefined;
  /** True when a search that buys from its first result only (a reseller's) passes the group's filters. */
  firstOnlyPasses: boolean;
  /** The highest maximum price among searches for its capability (undefined: nobody searches for it). */
  highestMaxMsat: number | undefined;
  /** The lowest price any search for its capability reads for it (undefined: nobody searches for it). */
  lowestPriceMsat: number | undefined;
}

/** The advertised price each kind of search reads on a seller group's listing. */
export function searchPricesMsat(spec: SellerSpec): Record<SearchTier, number> {
  const unit = unitPriceMsat(spec.price);
  const p = spec.price;
  const advertised = (base: number) =>
    p.kind === 'dynamic' ? Math.ceil((base * p.maxMsat) / p.baseMsat) : base;
  // A listing's tiers in the seller's order (the first is its default), at their advertised prices.
  const tiers = spec.tiers.map((t, i) => ({
    tier: i,
    name: '',
    kind: t.kind,
    priceMsat: advertised(tierBasePrice(t, unit)),
  }));
  const price = (tier?: SearchTier) => searchPriceMsat({ tiers }, tier);
  return {
    default: price('default'),
    single: price('single'),
    bundle: price('bundle'),
    pass: price('pass'),
  };
}

/** The highest value a task's value distribution can draw (a normal one has no bound). */
function highestValue(v: Scenario['buyers'][number]['tasks'][number]['value']): number {
  if (v.dist === 'fixed') return v.msat;
  if (v.dist === 'uniform') return v.maxMsat;
  return Number.POSITIVE_INFINITY;
}

/** The search each task of type `t` of buyer group `b` makes. */
export function taskSearch(b: BuyerSpec, t: TaskTypeSpec): PlannedSearch {
  return {
    capability: t.capability,
    ...(t.category !== undefined && { category: t.category }),
    maxPriceMsat: highestValue(t.value),
    tier: b.prefer ?? 'default',
  };
}

/** The search seller group `g` makes for its upstream entry `u`, on each call it sells. */
export function upstreamSearch(g: SellerSpec, u: SellerSpec['upstream'][number]): PlannedSearch {
  return {
    capability: u.capability,
    maxPriceMsat: u.maxPriceMsat ?? unitPriceMsat(g.price),
    tier: 'default',
  };
}

/** Every search the scenario's agents make. */
export function plannedSearches(s: Scenario): PlannedSearch[] {
  const out: PlannedSearch[] = [];
  for (const b of s.buyers) for (const t of b.tasks) out.push(taskSearch(b, t));
  for (const g of s.sellers) for (const u of g.upstream) out.push(upstreamSearch(g, u));
  for (const r of s.resellers)
    out.push({
      capability: r.capability,
      maxPriceMsat: Number.POSITIVE_INFINITY,
      tier: 'bundle',
      sells: 'bundle',
      firstOnly: true,
    });
  return out;
}

/** Every seller group as listed. */
export function advertisedGroups(s: Scenario): AdvertisedGroup[] {
  return s.sellers.map((g) => ({
    name: g.name,
    count: g.count,
    capability: ARCHETYPE_CAPABILITY[g.archetype],
    ...(g.category !== undefined && { category: g.category }),
    priceMsat: searchPricesMsat(g),
    sells: new Set(g.tiers.map((t) => t.kind)),
  }));
}

const passes = (g: AdvertisedGroup, q: PlannedSearch): boolean =>
  g.capability === q.capability &&
  (q.category === undefined || g.category === undefined || g.category === q.category) &&
  (q.sells === undefined || g.sells.has(q.sells)) &&
  g.priceMsat[q.tier] <= q.maxPriceMsat;

/**
 * The sellers search `q` finds before the search limit: every member of each group that passes
 * its filters (all taken as alive, so at most what the run finds).
 */
export function sellersFound(groups: readonly AdvertisedGroup[], q: PlannedSearch): number {
  return groups.filter((g) => passes(g, q)).reduce((n, g) => n + g.count, 0);
}

/** How far each seller group gets into the searches for its capability, with `limit` results per search. */
export function groupReach(s: Scenario, limit = s.registry.searchLimit): GroupReach[] {
  const groups = advertisedGroups(s);
  const searches = plannedSearches(s);
  return groups.map((group) => {
    let maxFound = 0;
    let limitNeeded: number | undefined;
    let highestMaxMsat: number | undefined;
    let lowestPriceMsat: number | undefined;
    let firstOnlyPasses = false;
    for (const q of searches) {
      // A search for another capability, or for a kind of tier the group does not list, never returns it.
      if (q.capability !== group.capability || (q.sells && !group.sells.has(q.sells))) continue;
      const own = group.priceMsat[q.tier];
      highestMaxMsat = Math.max(highestMaxMsat ?? 0, q.maxPriceMsat);
      lowestPriceMsat = Math.min(lowestPriceMsat ?? Infinity, own);
      if (!passes(group, q)) continue;
      const hits = groups.filter((g) => passes(g, q));
      const cheaper = hits.filter((g) => g.priceMsat[q.tier] < own).reduce((n, g) => n + g.count, 0);
      const tied = hits.filter((g) => g.priceMsat[q.tier] === own).reduce((n, g) => n + g.count, 0);
      const reads = q.firstOnly ? 1 : limit;
      maxFound = Math.max(maxFound, Math.min(group.count, Math.max(0, reads - cheaper)));
      if (q.firstOnly) firstOnlyPasses = true;
      else limitNeeded = Math.min(limitNeeded ?? Infinity, cheaper + tied);
    }
    return { group, maxFound, limitNeeded, highestMaxMsat, lowestPriceMsat, firstOnlyPasses };
  });
}
