import { plural } from '../report/format.js';
import type { MergedPoint, SweepResult } from './merge.js';

/** A grid point whose runs broke conservation, and at which seeds. */
export interface BrokenPoint {
  point: MergedPoint;
  seeds: (string | number)[];
}

/** The points whose runs' money did not add up (summary.json `conservation.holds` false), in grid order. */
export function brokenConservation(r: SweepResult): BrokenPoint[] {
  return r.points.flatMap((point) => {
    const seeds = r.runs.filter((x) => x.point === point.index && !x.conservationHolds).map((x) => x.seed);
    return seeds.length ? [{ point, seeds }] : [];
  });
}

/** A point as the note names it by default (the console): its settings. */
const settings = (p: MergedPoint) => p.label || '(the scenario as written)';

/**
 * What a sweep says when some runs broke conservation (the sweep then exits 1), naming each
 * point (`name`: its settings by default) and its seeds; undefined when every run's money
 * added up.
 */
export function conservationNote(
  r: SweepResult,
  name: (p: MergedPoint) => string = settings,
): string | undefined {
  const broken = brokenConservation(r);
  if (!broken.length) return undefined;
  const runs = broken.reduce((n, b) => n + b.seeds.length, 0);
  const where = broken.map(
    (b) => `${name(b.point)} at ${plural(b.seeds.length, 'seed')} ${b.seeds.join(', ')}`,
  );
  return (
    `conservation BROKEN in ${plural(runs, 'run')}: ${where.join('; ')}. ` +
    'Their records and ledger disagree, so their figures cannot be trusted: see the conservation ' +
    'entry of each one’s runs/point-<i>/seed-<n>/summary.json'
  );
}
