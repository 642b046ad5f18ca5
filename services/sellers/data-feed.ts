import type { Context } from 'hono';
import type { Archetype, ArchetypeDeps } from './archetype.js';

const REGION_RE = /^[a-z]{2,16}$/;
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
      const region = c.req.query('region') ?? 'global';
      const daysText = c.req.query('days') ?? '7';
      if (!REGION_RE.test(region))
        return c.json({ error: 'invalid_query', message: 'region must be 2-16 lowercase letters' }, 400);
      if (!/^\d{1,2}$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > 31)
        return c.json({ error: 'invalid_query', message: 'days must be an integer 1..31' }, 400);
      const today = Math.floor(clock.now() / DAY_MS);
      const days = Number(daysText);
      const series: Anomaly[] = [];
      for (let d = today - days + 1; d <= today; d++) series.push(reading(region, d));
      return c.json({ region, series });
    },
  };
}
