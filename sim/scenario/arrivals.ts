import type { ArrivalsSpec } from './schema.js';
import { int } from '../report/format.js';

/** Expected arrivals of a run's agents, and how an expected count is written (run-work.ts, quote-work.ts). */

/** Arrivals of one agent before `durationSec`: the mean of a Poisson process, or a fixed gap's exact count. */
export function expectedArrivals(a: ArrivalsSpec, durationSec: number): number {
  if (a.process === 'poisson') return (a.ratePerMin * durationSec) / 60;
  // As the arrival loop: one at offset + k × gap (k ≥ 1) while before the end, all in whole ms.
  const endMs = Math.round(durationSec * 1000) - Math.round(a.offsetSec * 1000);
  const gapMs = Math.max(1, Math.round(a.everySec * 1000));
  return endMs > 0 ? Math.ceil(endMs / gapMs) - 1 : 0;
}

/** About `n` (rounded to a whole number when above 10), for an expected count; one past counting is "uncountably many". */
export const about = (n: number) =>
  !Number.isFinite(n)
    ? 'uncountably many'
    : n >= 10 || Number.isInteger(n)
      ? int(n)
      : String(Number(n.toPrecision(2)));
