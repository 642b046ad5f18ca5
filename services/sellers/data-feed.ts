import type { Context } from 'hono';
import { z } from 'zod';
import type { Archetype, ArchetypeDeps } from './archetype.js';
import { readQuery } from '../http/query.js';

/** `?region=&days=`, each at most once; nothing else. */
const querySchema = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2,16}$/, 'must be 2-16 lowercase letters')
    .optional(),
  days: z
    .string()
    .regex(/^(0?[1-9]|[12]\d|3[01])$/, 'must be an integer 1..31')
    .optional(),
});
const DAY_MS = 86_400_000;
/** Readings a feed keeps drawn: a few regions' month. */
export const READINGS_KEPT = 256;

/** One day's reading of a region. */
export interface Anomaly {
  region: string;
  /** UTC date, YYYY-MM-DD. */
  date: string;
  /** Temperature anomaly in °C, one decimal. */
  anomalyC: number;
  /** Probability-like confidence the seller reports. */
  confidence: number;
}

/**
 * A data feed: daily temperature anomalies per region, derived from the seed
 * (region and date pick the draw, so every buyer asking the same question
 * gets the same answer, across runs). Lower quality means more days are
 * replaced by noise, and the reported confidence drops with it.
 */
export function dataFeed({ clock, rng, quality }: ArchetypeDeps): Archetype {
  const truth = (region: string, day: number) =>
    Math.round(rng.fork(`truth/${region}/${day}`).normal(0, 1.5) * 10) / 10;
  const readings = new Map<string, Anomaly>();
  // A reading depends on the seed, region and day alone: each is drawn once and kept (the oldest leaves when full).
  const reading = (region: string, day: number): Anomaly => {
    const key = `${region}/${day}`;
    const kept = readings.get(key);
    if (kept) return kept;
    const made = Object.freeze(draw(region, day));
    if (readings.size >= READINGS_KEPT) readings.delete(readings.keys().next().value!);
    readings.set(key, made);
    return made;
  };
  const draw = (region: string, day: number): Anomaly => {
    const r = rng.fork(`reading/${region}/${day}`);
    const noisy = r.next() > quality;
    const anomalyC = noisy ? Math.round(r.normal(0, 4) * 10) / 10 : truth(region, day);
    return {
      region,
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      anomalyC,
      confidence: Math.round(quality * 100) / 100,
    };
  };
  return {
    method: 'GET',
    path: '/v1/anomalies',
    capability: 'anomalies:read',
    category: 'weather',
    description: 'Daily temperature anomalies per region (°C vs. baseline), deterministic per seed.',
    defaultLatency: { kind: 'fixed', ms: 20 },
    async handle(c: Context) {
      const query = readQuery(c, querySchema);
      if (!query.ok) return c.json({ error: 'invalid_query', message: query.message }, 400);
      const region = query.value.region ?? 'global';
      const days = Number(query.value.days ?? '7');
      const today = Math.floor(clock.now() / DAY_MS);
      const series: Anomaly[] = [];
      for (let d = today - days + 1; d <= today; d++) series.push(reading(region, d));
      return c.json({ region, series });
    },
  };
}
