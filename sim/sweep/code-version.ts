import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../infra/errors.js';
import type { ThreadsErrorCode } from './queue-threads.js';

/** The project's root, two levels above this file. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a run's results depend on: the layers' source, the shipped scenarios, and the locked dependencies. */
const SOURCE_DIRS = ['agents', 'infra', 'services', 'sim'];
const LOCK_FILE = 'package-lock.json';

let cached: string | undefined;

/**
 * A fingerprint of the code that runs a sweep's jobs: a hash over every source file of the
 * four layers (path and content, in path order) and the dependency lock file. A queue worker
 * runs only jobs queued from the same code, so one sweep never merges runs of two versions.
 * Computed once per process: what a coordinator puts on its jobs. A queue worker advertises the
 * version its threads loaded instead (`SweepThreads.start`), checked with `sourceVersion`.
 */
export function codeVersion(): string {
  return (cached ??= sourceVersion());
}

/** The same fingerprint of the source on disk now (not cached). */
export function sourceVersion(): string {
  const h = createHash('sha256');
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).sort();
  for (const f of [...files, join(ROOT, LOCK_FILE)]) {
    h.update(relative(ROOT, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|ya?ml|json)$/.test(e.name) ? [path] : [];
  });
}

/**
 * Refuses a local sweep whose source changed between its start (`before`) and its end (`after`):
 * its worker threads load the code on disk when they start (a thread replacing one that died
 * starts late), so its runs may have run two versions, and they are not merged.
 */
export function checkCodeUnchanged(before: string, after: string): void {
  if (after === before) return;
  throw new LabError<ThreadsErrorCode>(
    'code_changed',
    `the source changed while the sweep ran (code ${before} at its start, ${after} at its end), ` +
      'so its runs may have run different code and were not merged (no sweep.json was written): ' +
      'wait for the checkout or edit to finish, then run the sweep again',
  );
}
