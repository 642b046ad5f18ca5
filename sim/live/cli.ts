#!/usr/bin/env -S npx tsx
/**
 * `npm run demo`: runs a market and serves the live view, or replays a
 * finished run (`--replay runs/<dir>`). Prints the page's URL.
 *
 * Order matters: every input is checked first, then the page's port is bound,
 * and only then is the market built (it truncates its run files). Exit codes:
 * 0 stopped with Ctrl-C, 1 the run failed or could not start, 2 bad command line.
 */
import { createLogger, type Logger } from '../../infra/log.js';
import { isLabError } from '../../infra/errors.js';
import { usageError } from '../../infra/cli-options.js';
import { ScenarioError } from '../scenario/errors.js';
import { HELP, parseDemoArgs } from './demo-args.js';
import { prepareDemo, sourceOf, type DemoPlan, type LivePlan } from './demo-setup.js';
import type { LiveMarket } from './live-market.js';
import { startLiveServer, type LiveServer } from './server.js';
import { ignoreClosedStdout } from '../../infra/closed-stdout.js';

ignoreClosedStdout();

async function main(argv: string[]): Promise<number> {
  const args = parseDemoArgs(argv);
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const logger = createLogger({ name: 'demo' });
  const plan = await prepareDemo(args, logger);
  const server = await bind(plan, args.port, logger);
  if (!server) return 1;
  console.log(`live market view: ${server.url}/  (Ctrl-C to stop)`);
  const failure =
    plan.kind === 'live' && plan.market ? watchRun(plan.market, plan) : new Promise<never>(() => {});
  const outcome = await Promise.race([stopSignal(), failure]);
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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') console.error(`port ${port} is in use; ${freePortHint(port)}`);
    else if (code === 'EACCES') console.error(`not allowed to listen on port ${port}; ${freePortHint(port)}`);
    else throw err;
    return undefined;
  }
}

function freePortHint(port: number): string {
  const registry = port === 8402 ? ' (npm run registry listens on 8402 too by default)' : '';
  return `pass --port N (or --port 0 for a free one)${registry}`;
}

/** Resolves when the market's run fails (the finished message is printed on success); never otherwise. */
function watchRun(market: LiveMarket, plan: LivePlan): Promise<{ message: string; hint: string }> {
  return new Promise((resolve) => {
    market.done.then(
      () =>
        console.log(
          `run finished; files in ${plan.outDir} (replay: npm run demo -- --replay ${plan.outDir})`,
        ),
      (err: unknown) =>
        resolve({
          message: err instanceof Error ? err.message : String(err),
          hint:
            plan.backend === 'regtest'
              ? 'check the network with `npm run network:status`, then run the demo again'
              : 'fix the cause above and run the demo again',
        }),
    );
  });
}

function stopSignal(): Promise<'signal'> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
  });
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
  console.error(err instanceof Error ? err.message : String(err));
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(report(err)),
);
