import { createHash } from 'node:crypto';
import type { Scenario } from './schema.js';

/**
 * The scenario as it ran (defaults filled, overrides applied) in a canonical
 * JSON form (sorted keys), and its sha256: two runs with the same hash and
 * seed ran the same market.
 */
export function canonicalScenario(s: Scenario): string {
  return JSON.stringify(sortKeys(s));
}

/** sha256 (hex) of `canonicalScenario`. */
export function scenarioHash(s: Scenario): string {
  return createHash('sha256').update(canonicalScenario(s)).digest('hex');
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
