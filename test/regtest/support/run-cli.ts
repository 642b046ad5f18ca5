/**
 * Runs the network CLI (`tsx infra/regtest/cli.ts`, what `npm run network:*`
 * runs) as a child process, for the tests that hold it to its messages and
 * exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli as runScript, type CliResult } from '../../cli/run-cli.js';

/** What every usage error ends with. */
export const USAGE_HINT = 'run with --help for the options';

const CLI = ['--import', 'tsx', 'infra/regtest/cli.ts'];
const env = { ...process.env, LOG_LEVEL: 'warn' };

/** The `--state` and `--out` a command takes (each command refuses the others' options). */
export function pathArgs(command: string, paths: { state: string; out: string }): string[] {
  return [
    ...(['up', 'down', 'status'].includes(command) ? ['--state', paths.state] : []),
    ...(['up', 'attach', 'status'].includes(command) ? ['--out', paths.out] : []),
  ];
}

/** The CLI with these arguments, waited for (for the long end-to-end steps). */
export function runCliSync(args: string[], timeoutMs: number): CliResult {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI with these arguments in the background, so quick tests can run side by side. */
export function runCli(...args: string[]): Promise<CliResult> {
  return runScript('infra/regtest/cli.ts', args, 30_000);
}

/** After tests that must fail before anything starts: stops a network one started anyway (a regression). */
export function downIfStarted(state: string): void {
  if (existsSync(join(state, 'state.json'))) runCliSync(['down', '--state', state], 120_000);
}
