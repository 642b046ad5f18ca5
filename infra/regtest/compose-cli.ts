import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import { throwIfAborted } from './abort.js';
import { readComposeLayout, type ComposeLayout } from './compose-layout.js';
import { readState, type NetworkState } from './state.js';

const run = promisify(execFile);

/** Default compose project name (also set in docker-compose.yml). */
export const PROJECT = 'l402-lab';

/** Where a compose network is defined: its files, project name and the folder relative paths resolve in. */
export interface ComposeProject {
  files: string[];
  project: string;
  projectDir: string;
}

/**
 * `docker compose` with the project's files, name and folder, and the
 * variables the files use; `signal` firing stops it (SIGTERM).
 */
export async function compose(
  p: ComposeProject,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  signal?: AbortSignal,
): Promise<string> {
  const base = [
    'compose',
    ...p.files.flatMap((f) => ['-f', f]),
    '-p',
    p.project,
    '--project-directory',
    p.projectDir,
  ];
  try {
    const { stdout } = await run('docker', [...base, ...args], {
      env: {
        ...process.env,
        USERID: String(process.getuid?.() ?? 1000),
        GROUPID: String(process.getgid?.() ?? 1000),
        // Only `up` needs the real address; other commands parse the files too.
        L402_MINING_ADDRESS: process.env.L402_MINING_ADDRESS ?? 'unused',
        ...env,
      },
      maxBuffer: 64 << 20,
      timeout: 15 * 60_000,
      signal,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker compose ${args[0]} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** The project as `docker compose config` resolves it (overrides merged, profiles applied, paths absolute). */
export async function composeLayout(p: ComposeProject): Promise<ComposeLayout> {
  return readComposeLayout(JSON.parse(await compose(p, ['config', '--format', 'json'])), p.projectDir);
}

/**
 * `docker compose up --wait` (every health check passing); on failure, the
 * last log lines of every service. `signal` firing stops it (LabError('aborted')).
 */
export async function composeUp(
  p: ComposeProject,
  miningAddress: string,
  log: Logger,
  services: string[] = [],
  signal?: AbortSignal,
): Promise<void> {
  throwIfAborted(signal, 'before docker compose up');
  log.info({ files: p.files, project: p.project, services }, 'docker compose up --wait');
  const args = ['up', '-d', '--wait', '--wait-timeout', '300', ...services];
  await compose(p, args, { L402_MINING_ADDRESS: miningAddress }, signal).catch(async (err: Error) => {
    throwIfAborted(signal, 'docker compose up');
    const logs = await compose(p, ['logs', '--no-color', '--tail', '20']).catch(() => '');
    throw new Error(`${err.message}\n${logs}`, { cause: err });
  });
}

/** The compose project a network started from `stateDir` runs as, with its recorded state; undefined if none. */
export async function projectOf(
  stateDir: string,
): Promise<(ComposeProject & { state: NetworkState }) | undefined> {
  const state = await readState(stateDir);
  return state?.compose ? { ...state.compose, state } : undefined;
}
