#!/usr/bin/env -S npx tsx
/**
 * `npm run demo`: runs a market and serves the live view, or replays a
 * finished run (`--replay runs/<dir>`). Prints the page's URL.
 *
 * Order matters: every input is checked first, then the --out's lock is taken
 * (infra/out-dir-lock.ts, as `sim run` takes it: one writer in a directory;
 * given up once the run's files are written), then the page's port is bound,
 * and only then is the market built (it truncates its run files). Ctrl-C
 * before the run ends stops it and keeps what it recorded (stop-run.ts).
 * Exit codes: 0 stopped with Ctrl-C, 1 the run failed or could not start,
 * 2 bad command line, 130 a third Ctrl-C while a stopped run was being written.
 */
import { createLogger, type Logger } from '../../infra/log.js';
import { isLabError } from '../../infra/errors.js';
import { usageError } from '../../infra/cli-options.js';
import { ScenarioError } from '../scenario/errors.js';
import { HELP, parseDemoArgs } from './demo-args.js';
import { prepareDemo, runLength, sourceOf, type DemoPlan, type LivePlan } from './demo-setup.js';
import { stopRun } from './stop-run.js';
import { watchStopPresses } from '../stop-presses.js';
import type { LiveMarket } from './live-market.js';
import { startLiveServer, type LiveServer } from './server.js';
import { ignoreClosedStdout } from '../../infra/closed-stdout.js';
import { portRefusal } from '../../services/http/port-refusal.js';
import { lockOutDir, type OutDirLock } from '../../infra/out-dir-lock.js';

ignoreClosedStdout();

async function main(argv: string[]): Promise<number> {
  const args = parseDemoArgs(argv);
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const logger = createLogger({ name: 'demo' });
  const plan = await prepareDemo(args, logger);
  // Another demo, run or sweep writing into this --out would mix its files with this run's.
  const lock = plan.kind === 'live' ? await lockOutDir(plan.outDir, 'run') : undefined;
  try {
    return await serve(plan, args.port, logger, lock);
  } finally {
    await lock?.release();
  }
}

/**
 * Serves `plan` until Ctrl-C or the run's failure; returns the exit code. `lock` (the live run's
 * --out) is given up as soon as the run's files are written: the page may stay up long after.
 */
async function serve(plan: DemoPlan, port: number, logger: Logger, lock?: OutDirLock): Promise<number> {
  // From before the market is built, so no signal can end the process while its files are open.
  const signal = watchStopPresses(outDirOf(plan), console.error).first.then(() => 'signal' as const);
  const server = await bind(plan, port, logger);
  if (!server) return 1;
  if (plan.kind === 'live')
    void plan.market?.done.then(
      () => lock?.release(),
      () => {},
    );
  console.log(`live market view: ${server.url}/  (Ctrl-C to stop)`);
  if (plan.kind === 'live') console.log(runLength(plan));
  const failure =
    plan.kind === 'live' && plan.market ? watchRun(plan.market, plan) : new Promise<never>(() => {});
  let outcome = await Promise.race([signal, failure]);
  if (outcome === 'signal' && plan.kind === 'live' && plan.market) {
    const stopped = await stopRun(plan.market, plan.outDir);
    if (stopped.ok && stopped.message) console.log(stopped.message);
    if (!stopped.ok) outcome = failureOf(stopped.error, plan);
  }
  await server.close();
  if (outcome === 'signal') return 0;
  console.error(`the run failed: ${outcome.message}`);
  console.error(`the demo has stopped; ${outcome.hint}`);
  return 1;
}

/** Listens on `port` and builds the market; undefined (with the reason printed) when the port cannot be had. */
async function bind(plan: DemoPlan, port: number, logger: Logger): Promise<LiveServer | undefined> {
  try {
    return await startLiveServer(sourceOf(plan), { port, logger });
  } catch (err) {
    const refusal = portRefusal(err, port);
    if (refusal === undefined) throw err;
    console.error(refusal);
    return undefined;
  }
}

/** Resolves when the market's run fails (the finished message is printed on success); never otherwise. */
function watchRun(market: LiveMarket, plan: LivePlan): Promise<RunFailure> {
  return new Promise((resolve) => {
    market.done.then(
      (out) => {
        if (!out.engine.stopped)
          console.log(
            `run finished; files in ${plan.outDir} (replay: npm run demo -- --replay ${plan.outDir}); the page stays up until Ctrl-C`,
          );
      },
      (err: unknown) => resolve(failureOf(err, plan)),
    );
  });
}

interface RunFailure {
  message: string;
  hint: string;
}

function failureOf(err: unknown, plan: LivePlan): RunFailure {
  return {
    message: err instanceof Error ? err.message : String(err),
    hint:
      plan.backend === 'regtest'
        ? 'check the network with `npm run network:status`, then run the demo again'
        : 'fix the cause above and run the demo again',
  };
}

function outDirOf(plan: DemoPlan): string {
  return plan.kind === 'live' ? plan.outDir : 'its directory';
}

/** The message for an error main let through, and its exit code. */
function report(err: unknown): number {
  if (isLabError(err, 'usage')) {
    // Usage errors from below (a malformed --set) do not point to --help themselves.
    console.error(err.message.includes('--help') ? err.message : usageError(err.message).message);
    return 2;
  }
  if (err instanceof ScenarioError) {
    console.error(`${err.message}\n\nfix the scenario (or the --set value) and try again.`);
    return 1;
  }
  // An error with a code is printed as every `sim` command prints it (sim/commands/failure.ts).
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') {
    console.error(`error (${err.code}): ${err.message}`);
    return 1;
  }
  console.error(err instanceof Error ? err.message : String(err));
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(report(err)),
);
