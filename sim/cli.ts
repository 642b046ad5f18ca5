#!/usr/bin/env -S npx tsx
/**
 * The simulator's command line: `npm start` (quickstart) and
 * `npm run sim -- run|sweep|validate|report …`.
 */
import { runCommand } from './commands/run-command.js';
import { sweepCommand } from './commands/sweep-command.js';
import { validateCommand } from './commands/validate-command.js';
import { reportCommand } from './commands/report-command.js';
import { workerCommand } from './commands/worker-command.js';
import { type CommandIo, type ExitCode } from './commands/io.js';
import { failureExit } from './commands/failure.js';
import { listScenarios } from './scenario/load.js';
import { ignoreClosedStdout } from '../infra/closed-stdout.js';
import { terminalSafe } from '../infra/terminal-text.js';

ignoreClosedStdout();

const HELP = `usage: npm run sim -- <command> [options]   (or: npx tsx sim/cli.ts <command>)

commands:
  run <scenario|file>       run one scenario, write report (npm start = run quickstart)
  sweep <scenario|file>     parameter grid × seeds over worker threads, merged with CIs
                            (--queue redis://host:port: over \`worker\` processes on any machines)
  worker --queue URL        run queued sweep jobs until stopped
  validate <file>           check a scenario file and list every problem
  report <run dir>          regenerate report.html from a run's summary.json

Each command has --help. Scenarios: ${listScenarios().join(', ')}.`;

const commands: Record<string, (argv: string[], io: CommandIo) => Promise<ExitCode>> = {
  run: runCommand,
  sweep: sweepCommand,
  validate: validateCommand,
  report: reportCommand,
  worker: workerCommand,
};

const io: CommandIo = {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  interactive: Boolean(process.stderr.isTTY),
  now: () => new Date(),
};

async function main(argv: string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  // `sim help <command>` is `sim <command> --help`.
  const asked = name === 'help' && rest[0] !== undefined ? commands[rest[0]] : undefined;
  if (asked) return asked(['--help'], io);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${terminalSafe(name)}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    return failureExit(name, err, io.err);
  }
}

process.exitCode = await main(process.argv.slice(2));
