import type { Rng } from '../../../infra/random.js';
import type { OfferTerms, Task } from '../types.js';
import { acceptable, type Choice, type Decider } from './types.js';

/**
 * Rule-based deciders. Each looks only at offers priced at or below the
 * value of the calls they serve; ties break by registry order, so runs repeat.
 */
function ruleDecider(
  name: string,
  pick: (cands: readonly OfferTerms[], ok: number[], task: Task) => Choice,
): Decider {
  return {
    name,
    async choose(offers, task) {
      const ok = acceptable(offers);
      const choice: Choice =
        ok.length === 0
          ? { index: -1, reason: 'no offer is worth its price for this task' }
          : pick(offers, ok, task);
      return {
        ...choice,
        record: {
          decider: name,
          chosen: choice.index >= 0 ? offers[choice.index]!.listing.id : undefined,
          reason: choice.reason,
          latencyMs: 0,
        },
      };
    },
  };
}

function argBest(ok: number[], score: (i: number) => number): number {
  let best = ok[0]!;
  for (const i of ok) if (score(i) > score(best)) best = i;
  return best;
}

/** The lowest price wins (a held token costs nothing). */
export function cheapestDecider(): Decider {
  return ruleDecider('cheapest', (c, ok) => {
    const i = argBest(ok, (j) => -c[j]!.priceMsat);
    return { index: i, reason: `cheapest: ${c[i]!.listing.name} at ${c[i]!.priceMsat} msat` };
  });
}

/**
 * Expected value minus price: the value of the calls served, scaled by how
 * likely the seller is to deliver well (its declared quality and its buyers'
 * rating, averaged; 0.5 when neither is known), minus the price.
 */
export function bestValueDecider(): Decider {
  return ruleDecider('best_value', (c, ok) => {
    const surplus = (j: number) => c[j]!.valueMsat * trust(c[j]!) - c[j]!.priceMsat;
    const i = argBest(ok, surplus);
    return {
      index: i,
      reason: `best_value: ${c[i]!.listing.name}, trust ${trust(c[i]!).toFixed(2)}, surplus ${Math.round(surplus(i))} msat`,
    };
  });
}

/** How much a buyer trusts a seller to deliver, in [0, 1]. */
export function trust(c: OfferTerms): number {
  const parts: number[] = [];
  if (c.listing.quality !== undefined) parts.push(c.listing.quality);
  if (c.listing.rating && c.listing.rating.count > 0) parts.push((c.listing.rating.average - 1) / 4);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : 0.5;
}

/** The first acceptable offer in registry order (the registry's sort decides). */
export function firstAcceptableDecider(): Decider {
  return ruleDecider('first_acceptable', (c, ok) => ({
    index: ok[0]!,
    reason: `first_acceptable: ${c[ok[0]!]!.listing.name}`,
  }));
}

/** A uniformly random acceptable offer, from a seeded stream. */
export function randomDecider(rng: Rng): Decider {
  return ruleDecider('random', (c, ok) => {
    const i = rng.pick(ok);
    return { index: i, reason: `random: ${c[i]!.listing.name}` };
  });
}
