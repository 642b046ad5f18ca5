/**
 * Entry point: bring a real regtest Lightning network up and down.
 *
 *   npm run network:up     [-- --native|--docker] [--topology default|<file.json>] [--out .regtest/network.json]
 *   npm run network:down   [-- --state .regtest/state]
 *   npm run network:attach -- --polar <id|name|folder> [--polar-home DIR] [--role alice=buyer …] [--running-only]
 *   npm run network:status | network:build
 *   npx tsx infra/regtest/cli.ts docker-prepare | docker-stop
 *
 * Exit codes: 0 done, 1 failed (the error says why), 2 usage error, 130
 * interrupted by Ctrl-C (`up`: after tearing down what it had started).
 */
import { isLabError } from '../errors.js';
import { isCommandName, parseCommandArgs, type CommandName } from './cli-args.js';
import { commandHelp, overviewHelp } from './cli-help.js';
import { ignoreClosedStdout } from '../closed-stdout.js';

ignoreClosedStdout();

/** Parses command `name`'s arguments, then prints its help or runs it. */
async function runCommand<K extends CommandName>(name: K, args: string[]): Promise<number> {
  const { help, values } = parseCommandArgs(name, args);
  if (help) {
    console.log(commandHelp(name));
    return 0;
  }
  // The drivers load only now: help and usage errors answer without them.
  const { COMMANDS, cliContext } = await import('./cli-commands.js');
  const run = COMMANDS[name];
  return run(values, cliContext());
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(overviewHelp());
    return 0;
  }
  if (name === undefined || !isCommandName(name)) {
    if (name !== undefined) console.error(`unknown command ${JSON.stringify(name)}\n`);
    console.error(overviewHelp());
    return 2;
  }
  return runCommand(name, rest);
}

/** The exit code for an error, printed: usage errors (2) as they are, failures (1) with their code. */
function report(err: unknown): number {
  if (isLabError(err, 'usage')) {
    console.error(err.message);
    return 2;
  }
  const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
  const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
  console.error(`error${code}: ${e.message}`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2)).catch(report);
