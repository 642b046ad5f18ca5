import type { Rng } from '../../infra/random.js';
import type { ArrivalsSpec, LatencySpec, TaskTypeSpec, ValueSpec } from '../scenario/schema.js';

/**
 * Random draws the scenario describes, each from the entity's own stream.
 * Every result is an integer (ms or msat) so nothing fractional reaches a
 * clock or a payment.
 */

/** Delay in ms from `prevMs` (the previous arrival, or the run start) to the next arrival. */
export function nextArrivalMs(spec: ArrivalsSpec, rng: Rng, first: boolean): number {
  if (spec.process === 'fixed') {
    const every = Math.max(1, Math.round(spec.everySec * 1000));
    return first ? Math.round(spec.offsetSec * 1000) + every : every;
  }
  const meanMs = 60_000 / spec.ratePerMin;
  return Math.max(1, Math.round(rng.exponential(meanMs)));
}

/** A task's value in msat. */
export function drawValue(spec: ValueSpec, rng: Rng): number {
  switch (spec.dist) {
    case 'fixed':
      return spec.msat;
    case 'uniform':
      return spec.minMsat + Math.floor(rng.next() * (spec.maxMsat - spec.minMsat + 1));
    case 'normal':
      return Math.max(0, Math.round(rng.normal(spec.meanMsat, spec.sdMsat)));
  }
}

/** A latency in ms (a constant, or a normal draw clipped at 0). */
export function drawLatency(spec: LatencySpec, rng: Rng): number {
  if (typeof spec === 'number') return spec;
  return spec.sdMs === 0 ? spec.meanMs : Math.max(0, Math.round(rng.normal(spec.meanMs, spec.sdMs)));
}

/** Picks a task type by weight. */
export function pickTask(types: readonly TaskTypeSpec[], rng: Rng): TaskTypeSpec {
  const total = types.reduce((a, t) => a + t.weight, 0);
  let x = rng.next() * total;
  for (const t of types) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return types[types.length - 1]!;
}
