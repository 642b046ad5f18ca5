/**
 * vitest globalSetup (vitest.config.ts): one temporary directory for the whole
 * run, `l402-test-XXXXXX` in the OS temp directory, removed when the run ends.
 *
 * It becomes TMPDIR before any test file starts, so `os.tmpdir()` (which reads
 * TMPDIR at each call) names it in every worker (vitest hands `process.env`,
 * as it is after this setup, to its forks and threads) and in every process a
 * test spawns: the directories tests make with `mkdtemp(join(tmpdir(), …))`
 * land in it and go with it, whether or not the test removes its own. Its
 * path stays short (`/tmp/l402-test-XXXXXX`, 21 bytes), leaving room under
 * the 107-byte limit of a unix socket's path.
 *
 * Removal never fails the run: containers of the compose suites may leave
 * files only root can remove, and the shared native regtest network's data
 * directory is in it until the network's reaper (infra/regtest/reaper.ts)
 * stops its daemons, after vitest exits. What cannot be removed is logged,
 * with what to do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../infra/log.js';

/** Makes the run's temporary directory TMPDIR; returns the teardown that removes it. */
export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'l402-test-'));
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    removeRoot(root);
  };
}

function removeRoot(root: string): void {
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 2 });
  } catch (err) {
    createLogger({ name: 'test-tmp', pretty: false }).warn(
      { dir: root, err: (err as Error).message },
      `could not remove the test run's temporary directory ${root}; remove it by hand (files a container wrote may need sudo rm -rf ${root})`,
    );
  }
}
