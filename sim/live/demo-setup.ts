/**
 * What the demo serves, prepared so that every input is read and checked
 * before the page's port is bound, and nothing is written until it is: a live
 * market opens (and truncates) its run files when it is built, so it is built
 * only by `start`, which the server calls once it listens.
 */
import { resolve } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import type { Scenario } from '../scenario/schema.js';
import { checksFor } from '../market/checks.js';
import { defaultOutDir } from '../commands/out-dir.js';
import { refuseFileInTheWay } from '../../infra/out-dir.js';
import { checkNetworkFile } from '../commands/network-arg.js';
import type { Logger } from '../../infra/log.js';
import { LiveMarket } from './live-market.js';
import { Replay } from './replay.js';
import type { LiveSource } from './server.js';
import { DEFAULT_DEMO, type DemoArgs } from './demo-args.js';

export interface LivePlan {
  kind: 'live';
  outDir: string;
  backend: DemoArgs['backend'];
  scenario: Scenario;
  speed: number;
  /** Builds the market (it starts running and opens its run files). */
  start(): LiveMarket;
  /** The market once built. */
  readonly market: LiveMarket | undefined;
}

export type DemoPlan = { kind: 'replay'; source: Replay } | LivePlan;

/** Reads the replay, or the scenario, network file and output directory of a live run. */
export async function prepareDemo(args: DemoArgs, logger: Logger): Promise<DemoPlan> {
  if (args.replay)
    return { kind: 'replay', source: Replay.load(resolve(args.replay), { speed: args.speed }) };
  // The default run's longer market is an override like any other, so a --set durationSec wins.
  const overrides = {
    ...(args.defaultRun && { durationSec: DEFAULT_DEMO.durationSec }),
    ...parseOverrideArgs(args.set),
  };
  const scenario = loadScenario(args.scenario, { overrides, checks: checksFor(args.backend) });
  if (args.network) await checkNetworkFile(args.network);
  const seed = args.seed ?? scenario.seed;
  const outDir = resolve(args.out ?? `${defaultOutDir(scenario.name, seed)}-live`);
  refuseFileInTheWay(outDir);
  let market: LiveMarket | undefined;
  const start = () =>
    (market = new LiveMarket(scenario, {
      seed,
      speed: args.speed,
      backend: args.backend,
      outDir,
      logger,
      startedAt: new Date().toISOString(),
      ...(args.network && { networkFile: args.network }),
    }));
  return {
    kind: 'live',
    outDir,
    backend: args.backend,
    scenario,
    speed: args.speed,
    start,
    get market() {
      return market;
    },
  };
}

/** The source the server shows: the replay, or the live market it builds once listening. */
export function sourceOf(plan: DemoPlan): LiveSource | (() => LiveSource) {
  return plan.kind === 'replay' ? plan.source : () => plan.start();
}

/**
 * How long the run lasts, for the startup output: `quickstart: 480 s of
 * market at 2x, about 4 min of wall time (then up to 15 s while the last
 * purchases finish); the page stays up after the run ends`.
 */
export function runLength({ scenario, speed, backend }: LivePlan): string {
  const pace = backend === 'regtest' ? 1 : speed;
  const at = backend === 'regtest' ? 'on the wall clock' : `at ${speed}x`;
  const drain =
    scenario.drainSec > 0
      ? ` (then up to ${wall(scenario.drainSec / pace)} while the last purchases finish)`
      : '';
  return `${scenario.name}: ${scenario.durationSec} s of market ${at}, about ${wall(scenario.durationSec / pace)} of wall time${drain}; the page stays up after the run ends`;
}

/** Wall seconds as people say them: `45 s`, `4 min`, `2.5 min`. */
function wall(sec: number): string {
  if (sec < 90) return `${Number(sec.toFixed(1))} s`;
  return `${Number((sec / 60).toFixed(1))} min`;
}
