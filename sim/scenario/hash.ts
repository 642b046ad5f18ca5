import { createHash } from 'node:crypto';
import type { Scenario } from './schema.js';

/**
 * The scenario as it ran (defaults filled, overrides applied, and the seed
 * it ran with, however it was given: the file, `--set seed=`, `--seed`, a
 * sweep's seed) in a canonical JSON form (sorted keys), and its sha256: two
 * runs with the same hash ran the same market.
 */
export function canonicalScenario(s: Scenario): string {
  return JSON.stringify(sortKeys(s));
}

/** sha256 (hex) of `canonicalScenario`. */
export function scenarioHash(s: Scenario): string {
  return createHash('sha256').update(canonicalScenario(s)).digest('hex');
}

/**
 * sha256 of the scenario without its seed: what every run of a sweep's grid
 * point shares (seeds 1..N, each run's own hash differing by its seed).
 */
export function scenarioHashWithoutSeed(s: Scenario): string {
  const { seed: _seed, ...rest } = s;
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(rest)))
    .digest('hex');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}
