/**
 * The input checks of the figure scripts (sim/scenarios/*.figure.ts): each reads one shipped
 * scenario's sweep output. A missing, foreign or partial directory is one line saying which
 * command makes the input, and exit 2, never a stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, isLabError } from '../../infra/errors.js';
import type { Summary } from '../metrics/summary.js';
import type { MergedPoint, SweepResult } from './merge.js';
import { defaultSweepOutDir, isFreeDir } from './out-dir.js';

/** The command that makes `scenario`'s sweep output in `dir`. */
export const sweepCommandFor = (scenario: string, dir: string) =>
  `npm run sim -- sweep ${scenario} --out ${dir}`;

/**
 * Where to make `scenario`'s sweep for a figure pointed at `dir`: `dir` itself only when it is
 * free (missing or empty), since a sweep replaces the outputs of whatever sweep is there;
 * otherwise the scenario's default folder (runs/sweep-<scenario>), or when that holds files too,
 * the first free runs/sweep-<scenario>-<k> (k = 2, 3, …).
 */
export function sweepOutFor(scenario: string, dir: string): string {
  if (isFreeDir(dir)) return dir;
  const base = defaultSweepOutDir(scenario);
  let k = 1;
  let candidate = base;
  while (!isFreeDir(candidate)) candidate = `${base}-${++k}`;
  return candidate;
}

function notInput(dir: string, scenario: string, problem: string): LabError<'usage'> {
  const out = sweepOutFor(scenario, dir);
  const run = `run \`${sweepCommandFor(scenario, out)}\` first`;
  return new LabError(
    'usage',
    `${problem}, so it is not a ${scenario} sweep's output: ` +
      (out === dir
        ? run
        : `${run} and give that folder to this script (a sweep into ${dir} would replace what is there)`),
  );
}

/** `dir`'s sweep.json, checked to be a sweep of `scenario`. */
export function readFigureSweep(dir: string, scenario: string): SweepResult {
  const file = join(dir, 'sweep.json');
  if (!existsSync(file)) throw notInput(dir, scenario, `${dir} has no sweep.json`);
  let r: Partial<SweepResult>;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Partial<SweepResult>;
  } catch (e) {
    throw notInput(dir, scenario, `${file} is not readable JSON (${(e as Error).message})`);
  }
  if (r.scenario !== scenario || !Array.isArray(r.points) || !Array.isArray(r.seeds))
    throw notInput(dir, scenario, `${file} is a sweep of ${JSON.stringify(r.scenario ?? null)}`);
  return r as SweepResult;
}

/** Throws unless every point of `r` has each of `groups` (a renamed or edited scenario has others). */
export function requireGroups(r: SweepResult, dir: string, groups: readonly string[]): void {
  for (const p of r.points)
    for (const g of groups)
      if (!p.groups?.[g]) throw notInput(dir, r.scenario, `point P${p.index} has no agent group "${g}"`);
}

/**
 * The summary of each finished run of point `p` (its `seeds`: a failed run has none and is
 * skipped), by seed.
 */
export function pointSummaries(dir: string, r: SweepResult, p: MergedPoint): Map<string, Summary> {
  const out = new Map<string, Summary>();
  for (const seed of p.seeds) {
    const file = join(dir, 'runs', `point-${p.index}`, `seed-${seed}`, 'summary.json');
    if (!existsSync(file)) throw notInput(dir, r.scenario, `${file} is missing`);
    out.set(String(seed), JSON.parse(readFileSync(file, 'utf8')) as Summary);
  }
  return out;
}

/** The seeds of `r` that did not finish at some point (skipped by the figures), as `P<i> seed <n>`. */
export function skippedRuns(r: SweepResult): string[] {
  return r.points.flatMap((p) =>
    r.seeds.filter((s) => !p.seeds.map(String).includes(String(s))).map((s) => `P${p.index} seed ${s}`),
  );
}

/** Runs a figure script's body: a usage error (a bad input) is one line on stderr and exit code 2. */
export async function runFigure(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!isLabError(e, 'usage')) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
}
