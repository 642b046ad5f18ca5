import { existsSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LabError } from '../../infra/errors.js';
import { refuseFileInTheWay } from '../../infra/out-dir.js';
import { OUT_DIR_LOCK_FILES } from '../../infra/out-dir-lock.js';

/**
 * A sweep's --out directory: new, empty, a previous sweep's (it has sweep.json), or one holding
 * only a sweep's outputs (a sweep stopped before its end leaves the summary.json of each run
 * that finished). Before the first write, the previous sweep's outputs are removed, so none of
 * them (a grid point or seed the new sweep does not have, a chart it does not draw) passes for
 * part of the new sweep; only files a sweep writes are removed, anything else stays. A sweep
 * holds the directory's lock (`out.lock`, infra/out-dir-lock.ts) while it runs: the lock is not
 * a file in the way, and is never removed as an output.
 */

/** Where `sim sweep <scenario>` writes without --out, relative to the working directory. */
export function defaultSweepOutDir(scenario: string): string {
  return join('runs', `sweep-${scenario}`);
}

/** Whether `dir` is free for a sweep's outputs: it does not exist, or it is an empty directory. */
export function isFreeDir(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/** Files a sweep writes, relative to its directory (POSIX separators). */
const TOP_OUTPUTS = ['sweep.json', 'sweep.csv', 'report.html'];
const CHART = /^sweep-[\w-]+\.png$/;
const POINT = /^point-\d+$/;
const SEED = /^seed-[^/]+$/;
const RUN_SUMMARY = 'summary.json';

/** Refuses an --out that exists and holds files but neither a previous sweep's sweep.json nor only a sweep's outputs. */
export function checkOutDir(dir: string): void {
  refuseFileInTheWay(dir);
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes('sweep.json') || onlySweepOutputs(dir, entries)) return;
  const shown = entries.sort().slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  throw new LabError(
    'out_dir_in_use',
    `--out ${dir} holds files no sweep wrote (${shown}); give a new or empty directory, or a previous sweep's, whose outputs the new sweep replaces`,
  );
}

/** Removes a previous sweep's outputs from `dir` (only the files a sweep writes) and the directories they leave empty. */
export function clearSweepOutputs(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of TOP_OUTPUTS) rmSync(join(dir, name), { force: true });
  const charts = join(dir, 'charts');
  for (const name of files(charts)) if (CHART.test(name)) rmSync(join(charts, name), { force: true });
  removeIfEmpty(charts);
  const runs = join(dir, 'runs');
  for (const point of dirs(runs).filter((d) => POINT.test(d))) {
    for (const seed of dirs(join(runs, point)).filter((d) => SEED.test(d))) {
      rmSync(join(runs, point, seed, RUN_SUMMARY), { force: true });
      removeIfEmpty(join(runs, point, seed));
    }
    removeIfEmpty(join(runs, point));
  }
  removeIfEmpty(runs);
}

/** Whether every file in `dir` (whose top-level names are `top`) is one a sweep writes. */
function onlySweepOutputs(dir: string, top: readonly string[]): boolean {
  const ours = (name: string) =>
    TOP_OUTPUTS.includes(name) || OUT_DIR_LOCK_FILES.includes(name) || name === 'charts' || name === 'runs';
  if (!top.every(ours)) return false;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).every(
    (e) =>
      e.isDirectory() || (e.isFile() && isSweepOutput(relative(dir, join(e.parentPath, e.name)).split(sep))),
  );
}

/** Whether a file, by its path's parts under the sweep's directory, is one a sweep writes. */
function isSweepOutput([top, ...under]: string[]): boolean {
  if (under.length === 0) return TOP_OUTPUTS.includes(top!) || OUT_DIR_LOCK_FILES.includes(top!);
  if (top === 'charts') return under.length === 1 && CHART.test(under[0]!);
  const [point, seed, file] = under;
  return (
    top === 'runs' && under.length === 3 && POINT.test(point!) && SEED.test(seed!) && file === RUN_SUMMARY
  );
}

function entries(dir: string) {
  return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir, { withFileTypes: true }) : [];
}

const files = (dir: string) =>
  entries(dir)
    .filter((e) => e.isFile())
    .map((e) => e.name);
const dirs = (dir: string) =>
  entries(dir)
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

function removeIfEmpty(dir: string): void {
  if (existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmdirSync(dir);
}
