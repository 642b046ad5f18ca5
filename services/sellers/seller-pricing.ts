import type { Context } from 'hono';
import type { ManifestService, PaywallTier } from '../paywall/index.js';
import type { ListingTier } from '../registry/types.js';
import type { Archetype } from './archetype.js';
import type { SellerConfig } from './config.js';
import { LabError } from '../../infra/errors.js';
import { tierBasePrice, tierCalls, tierName, unitPriceMsat } from './config.js';

/** The tiers a seller advertises (listing and manifest): honest base prices, whatever it really charges. */
export function advertisedTiers(config: SellerConfig): ListingTier[] {
  const unit = unitPriceMsat(config.price);
  return config.tiers.map((t, i) => ({
    tier: i,
    name: tierName(t),
    kind: t.kind,
    ...(t.kind === 'bundle' ? { calls: t.calls } : t.kind === 'single' ? { calls: 1 } : {}),
    ...(t.kind === 'pass' ? { durationSec: t.durationSec } : {}),
    priceMsat: tierBasePrice(t, unit),
  }));
}

/**
 * The tiers the paywall charges: the advertised base prices, times an
 * overcharging seller's factor, scaled by load under dynamic pricing.
 */
export function paywallTiersOf(config: SellerConfig, advertised: ListingTier[]): PaywallTier[] {
  const adv = config.adversarial;
  const factor = adv?.mode === 'overcharge' ? adv.factor : 1;
  return config.tiers.map((t, i) => {
    const base = advertised[i]!.priceMsat;
    // Dynamic pricing scales every tier by the current unit price over the base unit price.
    const p = config.price;
    const price =
      p.kind === 'fixed'
        ? Math.ceil(base * factor)
        : (_c: Context, load: { inFlight: number }) => {
            const nowUnit = Math.min(
              p.maxMsat,
              Math.max(p.minMsat, p.baseMsat + p.perLoadMsat * load.inFlight),
            );
            return Math.max(1, Math.ceil((base * nowUnit * factor) / p.baseMsat));
          };
    return {
      tier: i,
      name: advertised[i]!.name,
      price,
      ...(t.kind === 'single' ? { maxCalls: 1 } : t.kind === 'bundle' ? { maxCalls: t.calls } : {}),
      tokenLifetimeSec: t.kind === 'pass' ? t.durationSec : config.tokenLifetimeSec,
      // A bid on the tier is negotiated per call of it: the negotiation floor is per call.
      pricedCalls: tierCalls(t),
    };
  });
}

/** The seller's one service as its `/.well-known/l402.json` describes it. */
export function manifestServiceOf(
  config: SellerConfig,
  name: string,
  archetype: Archetype,
  advertised: ListingTier[],
): ManifestService {
  return {
    name,
    description: config.description ?? archetype.description,
    path: archetype.path,
    method: archetype.method,
    tiers: advertised.map((t) => ({
      tier: t.tier,
      name: t.name,
      kind: t.kind,
      ...(t.calls !== undefined ? { calls: t.calls } : {}),
      ...(t.durationSec !== undefined ? { duration_sec: t.durationSec } : {}),
      price_msat: t.priceMsat,
    })),
    capabilities: [archetype.capability],
    pricing: { model: config.price.kind, price_msat: Math.min(...advertised.map((t) => t.priceMsat)) },
  };
}

/** A seller's prices: what its listing, manifest and 402 challenges say; repricing sellers may change them. */
export interface SellerPrices {
  /** The advertised tiers now. */
  advertised(): ListingTier[];
  /** The tiers the paywall charges (a repricing seller's read the current price on every quote). */
  paywallTiers: PaywallTier[];
  /** Posts a new unit price (repricing sellers only; others throw). */
  setUnitPrice(msat: number): void;
}

/**
 * Fixed prices, or with `repricing` prices that `setUnitPrice` changes: every
 * tier is re-derived from the new unit price (as at build) and the paywall's
 * tiers read them per quote. Deliberately opt-in: a price function costs the
 * paywall one await per quote, which would reorder a seeded run's events.
 */
export function sellerPrices(config: SellerConfig, repricing: boolean): SellerPrices {
  let advertised = advertisedTiers(config);
  let tiers = paywallTiersOf(config, advertised);
  if (!repricing)
    return {
      advertised: () => advertised,
      paywallTiers: tiers,
      setUnitPrice() {
        throw new LabError(
          'invalid_seller_config',
          'this seller was built without repricing: its price is fixed',
        );
      },
    };
  if (config.price.kind !== 'fixed')
    throw new LabError('invalid_seller_config', `repricing needs price.kind fixed, got ${config.price.kind}`);
  return {
    advertised: () => advertised,
    paywallTiers: tiers.map((t, i) => ({ ...t, price: () => tiers[i]!.price as number })),
    setUnitPrice(msat) {
      if (!Number.isSafeInteger(msat) || msat <= 0)
        throw new LabError(
          'invalid_seller_config',
          `a unit price must be a positive integer msat, got ${msat}`,
        );
      const next = { ...config, price: { kind: 'fixed' as const, msat } };
      advertised = advertisedTiers(next);
      tiers = paywallTiersOf(next, advertised);
    },
  };
}
