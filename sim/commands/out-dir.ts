/**
 * Where a run's files go by default: a directory for a scenario and seed,
 * shared by `sim run` and the live demo.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The default --out, runs/<scenario>-<seed>. A text seed is slugged, so that
 * one such as "a/../b" adds no path parts, with a hash of it when slugging
 * changed it, so that two seeds keep two directories.
 */
export function defaultOutDir(scenario: string, seed: string | number): string {
  const text = String(seed);
  const slug = text.replace(/[^\w.-]+/g, '-').slice(0, 64);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return join('runs', `${scenario}-${slug === text ? slug : `${slug}-${hash}`}`);
}
