/**
 * What the demo serves, prepared so that every input is read and checked
 * before the page's port is bound, and nothing is written until it is: a live
 * market opens (and truncates) its run files when it is built, so it is built
 * only by `start`, which the server calls once it listens.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { parseOverrideArgs } from '../scenario/overrides.js';
import { scenarioChecks } from '../market/checks.js';
import { loadNetwork } from '../../infra/regtest/network-file.js';
import { isLabError, LabError } from '../../infra/errors.js';
import type { Logger } from '../../infra/log.js';
import { LiveMarket } from './live-market.js';
import { Replay } from './replay.js';
import type { LiveSource } from './server.js';
import type { DemoArgs } from './demo-args.js';

export interface LivePlan {
  kind: 'live';
  outDir: string;
  backend: DemoArgs['backend'];
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
  const scenario = loadScenario(args.scenario, {
    overrides: parseOverrideArgs(args.set),
    checks: scenarioChecks,
  });
  if (args.network) await checkNetworkFile(args.network);
  const seed = args.seed ?? scenario.seed;
  const outDir = resolve(args.out ?? join('runs', `${scenario.name}-${seed}-live`));
  checkOutDir(outDir);
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

/** Refuses an --out that is a file, or lies under one, before anything runs. */
function checkOutDir(dir: string): void {
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir, { throwIfNoEntry: false })?.isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    isDir = false;
  }
  if (isDir === false)
    throw new LabError(
      'bad_out_dir',
      `--out ${dir} is not a directory (a file is in the way); pass --out DIR, a directory that exists or can be created`,
    );
}

/** Reads --network as the run will, so a missing or invalid file is reported before anything starts. */
async function checkNetworkFile(path: string): Promise<void> {
  try {
    await loadNetwork(path);
  } catch (err) {
    // A missing file's message already says how to get one.
    if (!isLabError(err, 'invalid', 'invalid_json')) throw err;
    throw new LabError(
      err.code,
      `${err.message}\nfix it, or pass the network.json that \`npm run network:up\` writes (.regtest/network.json)`,
      { cause: err },
    );
  }
}
