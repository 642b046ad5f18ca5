import type { Context } from 'hono';
import { z } from 'zod';
import { readJsonBody } from '../http/json-body.js';
import type { Archetype } from './archetype.js';

const jobSchema = z.strictObject({
  numbers: z.array(z.number().finite()).min(1).max(10_000),
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
      const body = await readJsonBody(c, jobSchema);
      if (!body.ok) return c.json({ error: body.code, message: body.message }, body.status);
      return c.json(stats(body.value.numbers));
    },
  };
}
