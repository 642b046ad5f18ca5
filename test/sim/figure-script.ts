/** Runs a figure script (sim/scenarios/<name>.figure.ts) as a user would, from a working directory of the test's choosing. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A new temporary directory. */
export const tmp = (prefix = 'figure-input-') => mkdtempSync(join(tmpdir(), prefix));

/**
 * `npx tsx sim/scenarios/<script>.figure.ts ...args` run in `cwd` (default: a new empty directory,
 * so the default sweep folders runs/sweep-<scenario> it may advise do not exist).
 */
export function figure(
  script: 'negotiation' | 'success-vs-amount' | 'reputation',
  args: string[],
  cwd = tmp('figure-cwd-'),
) {
  const r = spawnSync(
    process.execPath,
    ['--import', tsx, join(root, 'sim', 'scenarios', `${script}.figure.ts`), ...args],
    { encoding: 'utf8', timeout: 60_000, cwd },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}
