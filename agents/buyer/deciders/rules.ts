import type { Rng } from '../../../infra/random.js';
import type { OfferTerms, Task } from '../types.js';
import { acceptable, perCall, type Choice, type Decider } from './types.js';

/**
 * Rule-based deciders. Each looks only at offers priced at or below the
 * value of the calls they serve, and compares prices and surpluses per task
 * call served (`perCall`), so a bundle or a pass weighs fairly against single
 * calls; ties break by registry order, so runs repeat.
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

/** How an offer's price reads in a reason: its price, and the calls it serves when more than one. */
function priceText(c: OfferTerms): string {
  return `${c.priceMsat} msat${c.covers > 1 ? ` for ${c.covers} calls` : ''}`;
}

/** Of the offers at indexes `ok`, the one with the lowest price per task call served (the first on ties). */
export function cheapestOf(c: readonly OfferTerms[], ok: number[]): number {
  return argBest(ok, (j) => -perCall(c[j]!, c[j]!.priceMsat));
}

/** The lowest price per task call served wins (a held token costs nothing). */
export function cheapestDecider(): Decider {
  return ruleDecider('cheapest', (c, ok) => {
    const i = cheapestOf(c, ok);
    return { index: i, reason: `cheapest: ${c[i]!.listing.name} at ${priceText(c[i]!)}` };
  });
}

/**
 * Expected value minus price, per task call served: the value of the calls
 * served, scaled by how likely the seller is to deliver well (its declared
 * quality and its buyers' rating, averaged; 0.5 when neither is known),
 * minus the price.
 */
export function bestValueDecider(): Decider {
  return ruleDecider('best_value', (c, ok) => {
    const surplus = (j: number) => perCall(c[j]!, c[j]!.valueMsat * trust(c[j]!) - c[j]!.priceMsat);
    const i = argBest(ok, surplus);
    return {
      index: i,
      reason: `best_value: ${c[i]!.listing.name}, trust ${trust(c[i]!).toFixed(2)}, surplus ${Math.round(surplus(i))} msat per call`,
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

/** The least a first-acceptable buyer asks of an offer besides its value: a price ceiling, or a surplus floor, per task call served. */
export type Reservation = { maxPriceMsat: number } | { minSurplusMsat: number };

/** What the first-acceptable decider takes: the order it reads offers in and its reservation rule. */
export interface FirstAcceptableOptions {
  /** `registry`: the registry's sort order (default); `arrival`: the order quotes arrived in. */
  order?: 'arrival' | 'registry';
  reservation?: Reservation;
}

/** Whether an offer meets the reservation rule, per task call it serves (any offer does without one). */
export function meetsReservation(c: OfferTerms, r: Reservation | undefined): boolean {
  if (!r) return true;
  return 'maxPriceMsat' in r
    ? perCall(c, c.priceMsat) <= r.maxPriceMsat
    : perCall(c, c.valueMsat - c.priceMsat) >= r.minSurplusMsat;
}

/**
 * The first acceptable offer (priced at most its value and meeting the
 * reservation rule), in registry order or in the order quotes arrived (a
 * held token, never quoted, comes first). With streamed quotes it accepts
 * the first such offer as soon as it arrives: the fastest acceptable seller
 * wins whatever the others would have asked.
 */
export function firstAcceptableDecider({
  order = 'registry',
  reservation,
}: FirstAcceptableOptions = {}): Decider {
  const rank = (c: OfferTerms) => c.arrival?.rank ?? 0;
  const decider = ruleDecider('first_acceptable', (c, ok) => {
    const fit = ok.filter((i) => meetsReservation(c[i]!, reservation));
    if (order === 'arrival') fit.sort((a, b) => rank(c[a]!) - rank(c[b]!) || a - b);
    if (fit.length === 0)
      return { index: -1, reason: 'first_acceptable: no offer meets the reservation rule' };
    const i = fit[0]!;
    const when = order === 'arrival' ? `, quote ${rank(c[i]!)} to arrive` : '';
    return { index: i, reason: `first_acceptable: ${c[i]!.listing.name} at ${priceText(c[i]!)}${when}` };
  });
  return { ...decider, accepts: (c) => c.priceMsat <= c.valueMsat && meetsReservation(c, reservation) };
}

/** A uniformly random acceptable offer, from a seeded stream. */
export function randomDecider(rng: Rng): Decider {
  return ruleDecider('random', (c, ok) => {
    const i = rng.pick(ok);
    return { index: i, reason: `random: ${c[i]!.listing.name}` };
  });
}
