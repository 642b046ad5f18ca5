/**
 * Spreads and comparisons for benchmark rows: min / median / max over rounds,
 * and a verdict between two rows that calls a difference only when their
 * ranges do not overlap, and never for a row of one sample (no range).
 */

/** One measured row: one sample per round (ops/s, or ms for latencies). */
export interface Row {
  name: string;
  samples: number[];
}

/** Min, median and max of a row's samples. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** A table of rows measured side by side, as a bench writes it to JSON. */
export interface Table {
  id: string;
  title: string;
  /** 'ops/s', 'req/s', 'ms', … */
  unit: string;
  /** true for rates, false for latencies. */
  higherIsBetter: boolean;
  /** The row every other row is divided by. */
  baseline?: string;
  rows: Row[];
  /** Pairs [a, b] compared explicitly (a against b). */
  compare?: [string, string][];
}

/** Row `a` against row `b`. */
export interface Comparison {
  a: string;
  b: string;
  /** a ÷ b per round (rows measured in the same round are paired). */
  ratio: Spread;
  verdict: Verdict;
}

/** What a comparison concludes; a row of fewer than MIN_SAMPLES samples has no spread, so no verdict. */
export type Verdict = 'faster' | 'slower' | 'no measurable difference' | 'one sample: no verdict';

/** Samples a row needs for its [min, max] range to say anything: with one, min = max and any difference looks disjoint. */
export const MIN_SAMPLES = 2;

/** Min, median (mean of the middle two for an even count) and max. */
export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) throw new Error('spread of no samples');
  const s = [...samples].sort((x, y) => x - y);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s.at(-1)! };
}

/**
 * Compares two rows: the per-round ratio a ÷ b, and a verdict. When either
 * row has fewer than MIN_SAMPLES samples the verdict is 'one sample: no
 * verdict'. When the two rows' [min, max] ranges overlap the difference is
 * inside the noise and the verdict is 'no measurable difference'; otherwise a
 * is 'faster' or 'slower'.
 */
export function compareRows(a: Row, b: Row, higherIsBetter: boolean): Comparison {
  const sa = spread(a.samples);
  const sb = spread(b.samples);
  const n = Math.min(a.samples.length, b.samples.length);
  const ratios = Array.from({ length: n }, (_, i) => a.samples[i]! / b.samples[i]!);
  return { a: a.name, b: b.name, ratio: spread(ratios), verdict: verdict(n, sa, sb, higherIsBetter) };
}

function verdict(n: number, sa: Spread, sb: Spread, higherIsBetter: boolean): Verdict {
  if (n < MIN_SAMPLES) return 'one sample: no verdict';
  if (sa.min <= sb.max && sb.min <= sa.max) return 'no measurable difference';
  return sa.median > sb.median === higherIsBetter ? 'faster' : 'slower';
}
