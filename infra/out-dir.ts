/**
 * The check, before anything runs, that an `--out` path can be a directory
 * (a run's, a demo's, a sweep's): nothing that is a file is in its way.
 */
import { statSync } from 'node:fs';
import { LabError } from './errors.js';

/** Refuses (LabError `bad_out_dir`) an --out that is a file, or lies under one, before anything runs. */
export function refuseFileInTheWay(dir: string): void {
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir, { throwIfNoEntry: false })?.isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    isDir = false;
  }
  if (isDir === false)
    throw new LabError(
      'bad_out_dir',
      `--out ${dir} is not a directory (a file is in the way); pass --out DIR, a directory that exists or can be created`,
    );
}
