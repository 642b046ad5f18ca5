import { existsSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../infra/errors.js';

/**
 * A sweep's --out directory: new, empty, or a previous sweep's (it has sweep.json). Before
 * writing, the previous sweep's outputs are removed, so none of them (a grid point or seed
 * the new sweep does not have, a chart it does not draw) passes for part of the new sweep;
 * only files a sweep writes are removed, anything else in the directory stays.
 */

/** Files a sweep writes, relative to its directory (POSIX separators). */
const TOP_OUTPUTS = ['sweep.json', 'sweep.csv', 'report.html'];
const CHART = /^sweep-[\w-]+\.png$/;
const POINT = /^point-\d+$/;
const SEED = /^seed-[^/]+$/;
const RUN_SUMMARY = 'summary.json';

/** Refuses an --out that exists and holds files but not a previous sweep's sweep.json. */
export function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory())
    throw new LabError('out_dir_in_use', `--out ${dir} is a file; give a directory for the sweep's outputs`);
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes('sweep.json')) return;
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
