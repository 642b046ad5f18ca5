import { readFileSync } from 'node:fs';
import { LabError } from '../../infra/errors.js';
import { loadScenarioText, resolveScenarioPath, type ScenarioCheck } from '../scenario/load.js';
import { ScenarioError } from '../scenario/errors.js';
import { parsePath, type Overrides } from '../scenario/overrides.js';
import { expandGrid, type GridAxis } from './grid.js';
import { expectedWork } from '../scenario/run-work.js';
import type { Scenario } from '../scenario/schema.js';

/**
 * What a sweep may ask for, checked before anything is allocated or run: its size, its grid
 * paths, and every grid point's scenario.
 */

/** A scenario file and its YAML, read once: what every run of a sweep loads. */
export interface ScenarioSource {
  file: string;
  text: string;
}

/** Resolves `scenario` (a name or path) and reads its YAML once, for every run of a sweep. */
export function readScenarioSource(scenario: string): ScenarioSource {
  const file = resolveScenarioPath(scenario);
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (cause) {
    throw new ScenarioError('unreadable', [{ path: '', message: String(cause) }], file, { cause });
  }
}

/** Most seeds per grid point. */
export const MAX_SEEDS = 1_000;

/**
 * Most runs (grid points × seeds) in one sweep. A sweep keeps each run's digest (digest.ts) in
 * memory until it has merged them and written sweep.json (a row per run) and its other outputs,
 * so its heap grows with its runs; this bounds that growth, which would otherwise end a sweep
 * that outgrew the heap after hours of runs. What a sweep of this size holds is measured by
 * `npm run bench -- sweep-merge`, shown in docs/simulator.md ("What a sweep holds in memory").
 */
export const MAX_RUNS = 100_000;

/**
 * Where a sweep's seeds and grid came from, so an error names what the user wrote: the flags
 * (the default), or the scenario file's own `sweep.seeds` / `sweep.grid` (`file` names it).
 */
export interface SweepSources {
  seeds?: 'flag' | 'file';
  grid?: 'flag' | 'file';
  /** The scenario file, named in errors about its own sweep section. */
  file?: string;
}

/**
 * Refuses, with what to do, a sweep over the size limits, a grid path given twice (the later
 * axis would silently replace the earlier), a value given twice on one axis (`5` and `5.0`: two
 * points running one market under one label, one comparison counted twice), a seed set by --set or --grid (a sweep runs
 * seeds 1..N at every point: only --seeds chooses them), and a --set the grid replaces.
 * Errors name where a value came from (`from`: the flags, or the file's sweep section).
 */
export function checkSweep(
  axes: readonly GridAxis[],
  seeds: number,
  base: Overrides = {},
  from: SweepSources = {},
): void {
  checkSize(axes, seeds, from);
  const seen = new Map<string, GridAxis>();
  for (const a of axes) {
    const key = pathKey(a.path);
    if (key === SEED) throw seedAxis(a.path, from);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw repeatedAxis(earlier, a, from);
    seen.set(key, a);
    refuseRepeatedValues(a, from);
  }
  for (const path of Object.keys(base))
    if (pathKey(path) === SEED)
      throw new LabError(
        'usage',
        `--set ${path}: a sweep runs seeds 1..N at every grid point and ignores the scenario's seed; use --seeds N`,
      );
  for (const path of Object.keys(base)) {
    const axis = axes.find((a) => within(parsePath(path), parsePath(a.path)));
    if (axis)
      throw new LabError(
        'usage',
        `--set ${path} is replaced by --grid ${axis.path} at every grid point, so it would change nothing; drop the --set, or put its value among the grid's`,
      );
  }
}

function checkSize(axes: readonly GridAxis[], seeds: number, from: SweepSources): void {
  if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS)
    throw new LabError(
      'usage',
      from.seeds === 'file'
        ? `sweep.seeds: ${seeds} in ${fileOf(from)}: a sweep runs 1 to ${MAX_SEEDS.toLocaleString('en-US')} seeds per grid point; set sweep.seeds to ${MAX_SEEDS} or fewer in the file, or give --seeds N`
        : `--seeds ${seeds}: a sweep runs 1 to ${MAX_SEEDS.toLocaleString('en-US')} seeds per grid point; give --seeds ${MAX_SEEDS} or fewer`,
    );
  const points = axes.reduce((n, a) => n * a.values.length, 1);
  if (points * seeds > MAX_RUNS)
    throw new LabError(
      'usage',
      `this sweep has ${points.toLocaleString('en-US')} grid points × ${seeds} seeds = ${(points * seeds).toLocaleString('en-US')} runs${sizeSources(from)}, more than the ${MAX_RUNS.toLocaleString('en-US')} one sweep merges (it keeps a digest of every run in memory until they are merged); use fewer grid values or seeds, or split it into several sweeps`,
    );
}

// Only said when part of the size comes from the file: the flags are what the user just typed.
export function sizeSources(from: SweepSources): string {
  if (from.seeds !== 'file' && from.grid !== 'file') return '';
  const grid = from.grid === 'file' ? `sweep.grid in ${fileOf(from)}` : '--grid';
  const seeds = from.seeds === 'file' ? `sweep.seeds in ${fileOf(from)}` : '--seeds';
  return ` (grid from ${grid}, seeds from ${seeds})`;
}

function seedAxis(path: string, from: SweepSources): LabError<'usage'> {
  return new LabError(
    'usage',
    from.grid === 'file'
      ? `sweep.grid.${path} in ${fileOf(from)}: a sweep runs seeds 1..N at every grid point, so the seed cannot be a grid axis; remove it from the file's sweep.grid and set sweep.seeds (or give --seeds N)`
      : `--grid ${path}: a sweep runs seeds 1..N at every grid point, so the seed cannot be a grid axis; use --seeds N`,
  );
}

function repeatedAxis(earlier: GridAxis, later: GridAxis, from: SweepSources): LabError<'usage'> {
  const all = [...earlier.values, ...later.values].map((v) =>
    typeof v === 'string' ? v : JSON.stringify(v),
  );
  const why = 'so one axis would replace the other';
  return new LabError(
    'usage',
    from.grid === 'file'
      ? `sweep.grid in ${fileOf(from)} names ${earlier.path} and ${later.path}, one path, ${why}: give it once with all its values (${earlier.path}: [${all.join(', ')}])`
      : `--grid ${later.path} is given twice, ${why}: give each path once with all its values, e.g. --grid '${earlier.path}=${all.join(',')}'`,
  );
}

/** Refuses an axis two of whose values are equal once parsed, naming them by their places. */
function refuseRepeatedValues(a: GridAxis, from: SweepSources): void {
  const places = new Map<string, number[]>();
  a.values.forEach((v, i) => {
    const key = canonical(v);
    places.set(key, [...(places.get(key) ?? []), i + 1]);
  });
  const [value, at] = [...places].find(([, at]) => at.length > 1) ?? [];
  if (value === undefined || at === undefined) return;
  const which = `values ${at.slice(0, -1).join(', ')} and ${at.at(-1)!} are ${at.length > 2 ? 'all' : 'both'} ${value} once read`;
  const why = `so the sweep would run each grid point with it ${at.length === 2 ? 'twice' : `${at.length} times`}, under one label`;
  throw new LabError(
    'usage',
    from.grid === 'file'
      ? `sweep.grid.${a.path} in ${fileOf(from)}: ${which}, ${why}: give each value once in the file`
      : `--grid ${a.path}: ${which}, ${why}: give each value once`,
  );
}

/** A value as JSON with its objects' keys sorted: equal values, however written, read the same. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
      : x,
  );
}

const fileOf = (from: SweepSources) => from.file ?? 'the scenario file';

/** Whether `path` is `prefix` or lies under it (the grid's value at `prefix` replaces it). */
function within(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => k === path[i]);
}

const SEED = JSON.stringify(['seed']);

// One spelling per path: buyers.0.count and buyers[0].count are the same field.
function pathKey(path: string): string {
  return JSON.stringify(parsePath(path));
}

/** A grid point's expected work: the calls and quotes of one of its runs (`expectedWork`). */
export interface PointWork {
  index: number;
  label: string;
  work: number;
}

/**
 * Loads every grid point's scenario (the file read once, or `source`: the text the sweep runs)
 * and throws the first invalid one's issues, naming the point, before any run starts; returns
 * each point's expected work, for the sweep's total (sweep-work.ts).
 */
export function validateGridPoints(
  scenario: string,
  axes: readonly GridAxis[],
  base: Overrides,
  checks: ScenarioCheck[],
  source?: ScenarioSource,
): PointWork[] {
  const read = source ?? readScenarioSource(scenario);
  const work: PointWork[] = [];
  for (const p of expandGrid(axes)) {
    const loaded = loadPoint(read, { ...base, ...p.overrides }, checks);
    if (!(loaded instanceof ScenarioError)) {
      work.push({ index: p.index, label: p.label, work: expectedWork(loaded) });
      continue;
    }
    const where = { path: '', message: `at grid point ${p.index} (${p.label}); no run was started:` };
    throw new ScenarioError(loaded.code, [where, ...loaded.issues], loaded.file, { cause: loaded });
  }
  return work;
}

/** The scenario with `overrides`, or why it does not load (its ScenarioError). */
export function loadPoint(
  { file, text }: ScenarioSource,
  overrides: Overrides,
  checks: ScenarioCheck[],
): Scenario | ScenarioError {
  try {
    return loadScenarioText(text, { overrides, checks }, file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err;
  }
}

/** Why the scenario with `overrides` does not load (its ScenarioError), or undefined when it does. */
export function pointError(
  source: ScenarioSource,
  overrides: Overrides,
  checks: ScenarioCheck[],
): ScenarioError | undefined {
  const loaded = loadPoint(source, overrides, checks);
  return loaded instanceof ScenarioError ? loaded : undefined;
}
