/**
 * The commands of the regtest CLI (infra/regtest/cli.ts), one function each,
 * and the one option table they share.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { parseArgs, ParseArgsConfig } from 'node:util';
import type { Logger } from '../log.js';
import { msatToSat } from '../money.js';
import type { Clock } from '../time/clock.js';
import { ensureBinaries } from './binaries.js';
import { APERTURE, REGTEST_TARGETS } from './go-targets.js';
import { closeAll, connectNetwork } from './connect.js';
import { upDocker } from './docker.js';
import { dockerAvailable, prepareDocker, stopDockerd } from './engine.js';
import { composeFilesFor, ensureLocalImages } from './images.js';
import { downNetwork } from './lifecycle.js';
import { upNative } from './native.js';
import { loadNetwork, nodeRoleSchema, type NodeDesc, type NodeRole } from './network-file.js';
import { attachPolar } from './polar.js';
import { processStatus, readState } from './state.js';
import { resolveTopology } from './topology.js';

/** Every option of every command (each command reads the ones its help names). */
export function cliOptions(defaults: { out: string; state: string }) {
  return {
    help: { type: 'boolean', short: 'h' },
    native: { type: 'boolean' },
    docker: { type: 'boolean' },
    'local-images': { type: 'boolean' },
    'polar-images': { type: 'boolean' },
    prepare: { type: 'boolean' },
    aperture: { type: 'boolean' },
    topology: { type: 'string', default: 'default' },
    out: { type: 'string', default: defaults.out },
    state: { type: 'string', default: defaults.state },
    polar: { type: 'string' },
    role: { type: 'string', multiple: true, default: [] as string[] },
    'polar-home': { type: 'string', multiple: true, default: [] as string[] },
    'running-only': { type: 'boolean' },
  } satisfies ParseArgsConfig['options'];
}

type CliValues = ReturnType<typeof parseArgs<{ options: ReturnType<typeof cliOptions> }>>['values'];

/** What a command runs with: its options, the clock and logger, and the resolved paths. */
export interface CliContext {
  values: CliValues;
  clock: Clock;
  logger: Logger;
  stateDir: string;
  out: string;
}

/** A command: returns the exit code. */
export type CliCommand = (ctx: CliContext) => Promise<number>;

function printNodes(nodes: readonly NodeDesc[]): void {
  for (const n of nodes) console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${n.restUrl}  ${n.pubkey}`);
}

async function build({ values, clock, logger }: CliContext): Promise<number> {
  const bins = await ensureBinaries([...REGTEST_TARGETS, ...(values.aperture ? [APERTURE] : [])], {
    clock,
    logger,
  });
  for (const [name, path] of Object.entries(bins)) console.log(`${name.padEnd(10)} ${path}`);
  return 0;
}

async function dockerPrepare({ values, clock, logger }: CliContext): Promise<number> {
  const { actions } = await prepareDocker({ clock, logger });
  if (values['local-images'])
    actions.push(`local images: ${(await ensureLocalImages({ clock, logger })).join(', ')}`);
  console.log(actions.length ? actions.join('\n') : 'Docker engine and Compose plugin already there');
  return 0;
}

async function dockerStop({ clock }: CliContext): Promise<number> {
  console.log((await stopDockerd(clock)) ? 'stopped the dockerd we started' : 'no dockerd of ours to stop');
  return 0;
}

async function up({ values, clock, logger, stateDir, out }: CliContext): Promise<number> {
  if (values.native && values.docker) throw new Error('choose one of --native and --docker');
  if (values['local-images'] && values['polar-images'])
    throw new Error('choose one of --local-images and --polar-images');
  if (values.docker && values.prepare)
    for (const a of (await prepareDocker({ clock, logger })).actions) console.log(a);
  const docker = values.docker || (!values.native && (await dockerAvailable()));
  const topology = resolveTopology(
    values.topology.endsWith('.json') ? await readFile(values.topology, 'utf8') : values.topology,
  );
  // Ctrl-C during bring-up: stop whatever was started (state.json is written after every spawn).
  process.once('SIGINT', () => {
    logger.warn('interrupted; tearing down');
    void downNetwork(stateDir, { clock, logger }).finally(() => process.exit(130));
  });
  const started = clock.now();
  const images = values['local-images'] ? 'local' : values['polar-images'] ? 'polar' : 'auto';
  const net = docker
    ? await upDocker({
        composeFiles: (await composeFilesFor(images, { clock, logger })).files,
        stateDir,
        outPath: out,
        clock,
        logger,
        topology,
      })
    : await upNative({ topology, stateDir, outPath: out, clock, logger });
  console.log(
    `\n${net.kind} regtest network up in ${((clock.now() - started) / 1000).toFixed(1)} s → ${out}`,
  );
  printNodes(net.nodes);
  console.log('\nstop it with: npm run network:down');
  return 0;
}

async function down({ clock, logger, stateDir }: CliContext): Promise<number> {
  const state = await readState(stateDir);
  if (!state) {
    console.log(`nothing to stop (no state in ${stateDir})`);
    return 0;
  }
  const running = (await processStatus(stateDir)).filter((p) => p.running).map((p) => p.name);
  await downNetwork(stateDir, { clock, logger });
  console.log(
    state.kind === 'docker'
      ? `removed compose project ${state.compose?.project} (containers, networks, volumes)`
      : `stopped ${running.length ? running.join(', ') : 'nothing (already gone)'}`,
  );
  // A native network's down leaves Docker alone: a dockerd started for other work keeps running.
  if (state.kind === 'docker' && (await stopDockerd(clock)))
    console.log('stopped the dockerd that --prepare (or docker-prepare) started');
  return 0;
}

/** `--role NAME=ROLE` pairs as a map; throws naming the bad pair. */
function parseRoles(pairs: readonly string[]): Record<string, NodeRole> {
  const roles: Record<string, NodeRole> = {};
  for (const pair of pairs) {
    const [name, role] = pair.split('=');
    const parsed = nodeRoleSchema.safeParse(role);
    if (!name || !parsed.success)
      throw new Error(
        `--role ${pair}: expected NAME=ROLE with ROLE one of ${nodeRoleSchema.options.join('|')}`,
      );
    roles[name] = parsed.data;
  }
  return roles;
}

async function attach({ values, clock, logger, out }: CliContext): Promise<number> {
  if (!values.polar) throw new Error('attach needs --polar <id|name|folder> (see --help)');
  const { net, warnings } = await attachPolar({
    network: values.polar,
    ...(values['polar-home'].length ? { homes: values['polar-home'].map((h) => resolve(h)) } : {}),
    outPath: out,
    clock,
    logger,
    roles: parseRoles(values.role),
    runningOnly: values['running-only'] ?? false,
  });
  for (const w of warnings) console.log(`warning: ${w}`);
  console.log(`attached ${net.nodes.length} Polar LND nodes → ${out}`);
  printNodes(net.nodes);
  return 0;
}

async function status({ clock, stateDir, out }: CliContext): Promise<number> {
  const net = await loadNetwork(out);
  console.log(`${net.kind} network from ${out} (created ${net.createdAt})`);
  const nodes = await connectNetwork(net, { clock, retry: { maxWaitMs: 2_000 } });
  try {
    for (const d of net.nodes) {
      const b = await nodes
        .get(d.name)!
        .balances()
        .then(
          (x) => `${x.channels} channels, local ${msatToSat(x.localMsat)} sat, on-chain ${x.onchainSat} sat`,
        )
        .catch((err: Error) => `DOWN (${err.message.split('\n')[0]})`);
      console.log(`  ${d.name.padEnd(10)} ${d.role.padEnd(7)} ${b}`);
    }
  } finally {
    await closeAll(nodes.values());
  }
  for (const p of await processStatus(stateDir))
    console.log(`  pid ${p.pid} ${p.name}: ${p.running ? 'running' : 'gone'}`);
  return 0;
}

/** The commands by name (the CLI's help lists the same names). */
export const COMMANDS: Record<string, CliCommand> = {
  up,
  down,
  attach,
  status,
  build,
  'docker-prepare': dockerPrepare,
  'docker-stop': dockerStop,
};
