import type { Context } from 'hono';
import { z } from 'zod';
import { readJsonBody } from '../http/json-body.js';
import type { Archetype } from './archetype.js';

/** Most numbers in one job. */
export const MAX_NUMBERS = 10_000;

/**
 * Largest accepted magnitude. At most 10,000 numbers of it keep every step
 * finite: the sum is ≤ 1e154, and the variance's squared differences sum to
 * ≤ 10,000 × (2e150)² = 4e304, below Number.MAX_VALUE (≈ 1.8e308).
 */
export const MAX_MAGNITUDE = 1e150;

/**
 * Longest JSON text of a finite double (JSON.stringify, the shortest text that
 * reads back to it): a sign, `0.`, five zeros and 17 significant digits, as in
 * -0.0000012345678901234567. Exponent forms are at most 24 characters
 * (-2.2250738585072014e-308), integers at most 22 (-123456789012345680000).
 */
export const MAX_NUMBER_CHARS = 25;

/** Between two numbers: `, ` (Python's json.dumps default; JSON.stringify writes only the comma). */
const SEPARATOR_CHARS = 2;

/**
 * The compute body limit: the largest valid job, every number at its longest
 * text and `, ` between them, inside `{"numbers": […]}`: 270,013 bytes. The
 * default 64 KiB would refuse valid jobs of a few thousand numbers.
 */
export const COMPUTE_BODY_LIMIT =
  MAX_NUMBERS * (MAX_NUMBER_CHARS + SEPARATOR_CHARS) - SEPARATOR_CHARS + '{"numbers": []}'.length;

const withinMagnitude = `must be between -${MAX_MAGNITUDE} and ${MAX_MAGNITUDE} (so sums and squares stay finite)`;

const jobSchema = z.strictObject({
  numbers: z
    .array(z.number().finite().min(-MAX_MAGNITUDE, withinMagnitude).max(MAX_MAGNITUDE, withinMagnitude))
    .min(1)
    .max(MAX_NUMBERS),
});

/** Summary statistics of a job's numbers. */
export interface Stats {
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
  median: number;
  stddev: number;
}

/** Computes the statistics (population standard deviation). */
export function stats(numbers: readonly number[]): Stats {
  const sorted = [...numbers].sort((a, b) => a - b);
  const count = sorted.length;
  const sum = sorted.reduce((a, b) => a + b, 0);
  const mean = sum / count;
  const mid = count >> 1;
  const median = count % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const variance = sorted.reduce((a, x) => a + (x - mean) ** 2, 0) / count;
  return { count, sum, mean, min: sorted[0]!, max: sorted[count - 1]!, median, stddev: Math.sqrt(variance) };
}

/**
 * A compute service: statistics over up to 10,000 numbers. Its cost is the
 * service time (drawn from the latency distribution and slept on the clock)
 * and a capacity limit on concurrent jobs, which the seller enforces.
 */
export function compute(): Archetype {
  return {
    method: 'POST',
    path: '/v1/compute',
    capability: 'compute:stats',
    category: 'compute',
    description: 'Summary statistics (count, sum, mean, min, max, median, stddev) of up to 10,000 numbers.',
    defaultLatency: { kind: 'lognormal', medianMs: 200, sigma: 0.5 },
    defaultCapacity: 4,
    async handle(c: Context) {
      const body = await readJsonBody(c, jobSchema, { limit: COMPUTE_BODY_LIMIT });
      if (!body.ok) return c.json({ error: body.code, message: body.message }, body.status);
      return c.json(stats(body.value.numbers));
    },
  };
}
