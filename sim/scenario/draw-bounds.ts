import type { Distribution } from '../../infra/lightning/simnet/index.js';

/**
 * The bounds of what a channel distribution draws, rounded as whole amounts
 * are drawn (`sampleInt`), and the field of the distribution that sets each:
 * what the schema checks a capacity or fee against.
 */

/** A bound of a distribution's draws: the field that sets it (`['max']`, `['values', 2]`) and its value as given. */
export interface DrawBound {
  at: (string | number)[];
  given: number;
}

/** The largest (`sign` 1) or smallest (`sign` -1) of `values`, and where it is (the first such). */
function extreme(values: readonly number[], sign: 1 | -1): DrawBound {
  const i = values.reduce((best, v, j) => (sign * (v - values[best]!) > 0 ? j : best), 0);
  return { at: ['values', i], given: values[i]! };
}

/**
 * The most a distribution draws and where that is set: its `fixed` value,
 * its `uniform` or `lognormal` or `pareto` `max`, its largest `empirical`
 * value; undefined for a `lognormal` or `pareto` without `max`, whose draws
 * have no bound.
 */
export function largestBound(d: Distribution): DrawBound | undefined {
  switch (d.dist) {
    case 'fixed':
      return { at: ['value'], given: d.value };
    case 'uniform':
      return { at: ['max'], given: d.max };
    case 'lognormal':
    case 'pareto':
      return d.max === undefined ? undefined : { at: ['max'], given: d.max };
    case 'empirical':
      return extreme(d.values, 1);
  }
}

/** The most a distribution draws, rounded as drawn; undefined when its draws have no bound. */
export function largestDraw(d: Distribution): number | undefined {
  const top = largestBound(d);
  return top && Math.round(top.given);
}

/**
 * Where a distribution is set to draw below `least`: its `fixed` value, its
 * `uniform` or `lognormal` `min`, its `pareto` `scale`, or its smallest
 * `empirical` value, when that is below. A `lognormal` without `min` is
 * bounded below by nothing but `least` itself (its smaller draws are raised
 * to it): only its `max`, when that is below `least`, is. Undefined when no
 * field is.
 */
export function drawsBelow(d: Distribution, least: number): DrawBound | undefined {
  const low = lowestBound(d);
  return low && Math.round(low.given) < least ? low : undefined;
}

/** The least a distribution's fields let it draw, as given (a `lognormal` without `min`: its `max`, if any). */
function lowestBound(d: Distribution): DrawBound | undefined {
  switch (d.dist) {
    case 'fixed':
      return { at: ['value'], given: d.value };
    case 'uniform':
      return { at: ['min'], given: d.min };
    case 'lognormal':
      if (d.min !== undefined) return { at: ['min'], given: d.min };
      return d.max === undefined ? undefined : { at: ['max'], given: d.max };
    case 'pareto':
      return { at: ['scale'], given: d.scale };
    case 'empirical':
      return extreme(d.values, -1);
  }
}
