/**
 * The commands of the regtest CLI (infra/regtest/cli.ts), one function each,
 * each taking the options of its own table (cli-args.ts).
 */
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../log.js';
import { systemClock, type Clock } from '../time/clock.js';
import { ensureBinaries } from './binaries.js';
import { usageError } from '../cli-options.js';
import { isLabError } from '../errors.js';
import { guardInterrupts, INTERRUPTED_EXIT, type InterruptSource } from './interrupt.js';
import { outFileFrom, stateDirFrom, type CommandName, type CommandValues } from './cli-args.js';
import { status } from './cli-status.js';
import { APERTURE, REGTEST_TARGETS } from './go-targets.js';
import { upDocker } from './docker.js';
import { dockerAvailable, prepareDocker, stopDockerd } from './engine.js';
import { composeFilesFor, ensureLocalImages } from './images.js';
import { downNetwork } from './lifecycle.js';
import { upNative } from './native.js';
import { nodeRoleSchema, type NetworkDesc, type NodeDesc, type NodeRole } from './network-file.js';
import { attachPolar } from './polar.js';
import { processStatus, readState, refuseRecordedNetwork } from './state.js';
import { loadTopology, type Topology } from './topology.js';

/** What every command runs with. */
export interface CliContext {
  clock: Clock;
  logger: Logger;
  /** Ctrl-C (interrupt.ts), for the commands that start or stop daemons. */
  interrupts: InterruptSource;
}

/** The real clock, the CLI's logger and the process's own SIGINT. */
export function cliContext(): CliContext {
  return { clock: systemClock, logger: createLogger({ name: 'regtest' }), interrupts: process };
}

/** Command `K`: its parsed options in, the exit code out. */
export type CliCommand<K extends CommandName> = (
  values: CommandValues<K>,
  ctx: CliContext,
) => Promise<number>;

function printNodes(nodes: readonly NodeDesc[]): void {
  for (const n of nodes) console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${n.restUrl}  ${n.pubkey}`);
}

const build: CliCommand<'build'> = async (values, { clock, logger }) => {
  const targets = [...REGTEST_TARGETS, ...(values.aperture ? [APERTURE] : [])];
  const bins = await ensureBinaries(targets, { clock, logger });
  for (const [name, path] of Object.entries(bins)) console.log(`${name.padEnd(10)} ${path}`);
  return 0;
};

const dockerPrepare: CliCommand<'docker-prepare'> = async (values, { clock, logger }) => {
  const { actions } = await prepareDocker({ clock, logger });
  if (values['local-images'])
    actions.push(`local images: ${(await ensureLocalImages({ clock, logger })).join(', ')}`);
  console.log(actions.length ? actions.join('\n') : 'Docker engine and Compose plugin already there');
  return 0;
};

const dockerStop: CliCommand<'docker-stop'> = async (_values, { clock }) => {
  console.log((await stopDockerd(clock)) ? 'stopped the dockerd we started' : 'no dockerd of ours to stop');
  return 0;
};

interface UpPlan {
  topology: Topology;
  stateDir: string;
  out: string;
}

/** Starts the network `up`'s options chose (docker or native); `signal` stops it (abort.ts). */
async function startNetwork(
  values: CommandValues<'up'>,
  plan: UpPlan,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<NetworkDesc> {
  if (values.docker && values.prepare) for (const a of (await prepareDocker(ctx)).actions) console.log(a);
  const { topology, stateDir, out } = plan;
  const common = { topology, stateDir, outPath: out, clock: ctx.clock, logger: ctx.logger, signal };
  if (!(values.docker || (!values.native && (await dockerAvailable())))) return upNative(common);
  const images = values['local-images'] ? 'local' : values['polar-images'] ? 'polar' : 'auto';
  return upDocker({ ...common, composeFiles: (await composeFilesFor(images, ctx)).files });
}

const up: CliCommand<'up'> = async (values, ctx) => {
  // Everything the options name is checked before anything starts.
  const plan = {
    topology: await loadTopology(values.topology),
    stateDir: resolve(values.state),
    out: outFileFrom(values.out),
  };
  // Before --prepare or the SIGINT handler: a recorded network is never touched by a refused up.
  await refuseRecordedNetwork(plan.stateDir);
  // Ctrl-C stops the bring-up at its next step; its own failure path then tears down what it started.
  const interrupt = new AbortController();
  const release = guardInterrupts(ctx, interrupt);
  const started = ctx.clock.now();
  let net: NetworkDesc;
  try {
    net = await startNetwork(values, plan, ctx, interrupt.signal);
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    // Not the driver's interrupted error: it stopped before recording anything (the build, --prepare).
    console.error(isLabError(err, 'interrupted') ? err.message : 'interrupted; nothing had started');
    return INTERRUPTED_EXIT;
  } finally {
    release();
  }
  const seconds = ((ctx.clock.now() - started) / 1000).toFixed(1);
  console.log(`\n${net.kind} regtest network up in ${seconds} s → ${plan.out}`);
  printNodes(net.nodes);
  console.log('\nstop it with: npm run network:down');
  return 0;
};

const down: CliCommand<'down'> = async (values, ctx) => {
  const { clock, logger } = ctx;
  const stateDir = stateDirFrom(values.state);
  const state = await readState(stateDir);
  if (!state) {
    console.log(`nothing to stop (no state in ${stateDir})`);
    return 0;
  }
  const running = (await processStatus(stateDir)).filter((p) => p.running).map((p) => p.name);
  // A first Ctrl-C lets the teardown finish (what it has not reached stays recorded); a second exits.
  const release = guardInterrupts(ctx);
  await downNetwork(stateDir, { clock, logger }).finally(release);
  console.log(
    state.kind === 'docker'
      ? `removed compose project ${state.compose?.project} (containers, networks, volumes)`
      : `stopped ${running.length ? running.join(', ') : 'nothing (already gone)'}`,
  );
  // A native network's down leaves Docker alone: a dockerd started for other work keeps running.
  if (state.kind === 'docker' && (await stopDockerd(clock)))
    console.log('stopped the dockerd that --prepare (or docker-prepare) started');
  return 0;
};

/** `--role NAME=ROLE` pairs as a map; a bad pair is a usage error naming it. */
export function parseRoles(pairs: readonly string[]): Record<string, NodeRole> {
  const roles: Record<string, NodeRole> = {};
  for (const pair of pairs) {
    const [name, role, ...extra] = pair.split('=');
    const parsed = nodeRoleSchema.safeParse(role);
    if (!name || !parsed.success || extra.length)
      throw usageError(
        `--role ${pair}: expected NAME=ROLE with ROLE one of ${nodeRoleSchema.options.join('|')}`,
      );
    roles[name] = parsed.data;
  }
  return roles;
}

const attach: CliCommand<'attach'> = async (values, { clock, logger }) => {
  if (!values.polar) throw usageError('network:attach needs --polar <id|name|folder>');
  const roles = parseRoles(values.role);
  const out = outFileFrom(values.out);
  const { net, warnings } = await attachPolar({
    network: values.polar,
    ...(values['polar-home'].length ? { homes: values['polar-home'].map((h) => resolve(h)) } : {}),
    outPath: out,
    clock,
    logger,
    roles,
    runningOnly: values['running-only'] ?? false,
  });
  for (const w of warnings) console.log(`warning: ${w}`);
  console.log(`attached ${net.nodes.length} Polar LND nodes → ${out}`);
  printNodes(net.nodes);
  return 0;
};

/** The commands by name (cli-args.ts holds their options, cli-help.ts their help). */
export const COMMANDS: { [K in CommandName]: CliCommand<K> } = {
  up,
  down,
  attach,
  status,
  build,
  'docker-prepare': dockerPrepare,
  'docker-stop': dockerStop,
};
