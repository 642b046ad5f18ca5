/**
 * Entry point: bring a real regtest Lightning network up and down.
 *
 *   npm run network:up     [-- --native|--docker] [--topology default|<file.json>] [--out .regtest/network.json]
 *   npm run network:down
 *   npm run network:attach -- --polar <id|name|folder> [--polar-home DIR] [--role alice=buyer …] [--running-only]
 *   npx tsx infra/regtest/cli.ts status | build | docker-prepare | docker-stop
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { msatToSat } from '../money.js';
import { systemClock } from '../time/clock.js';
import { ensureBinaries } from './binaries.js';
import { APERTURE, REGTEST_TARGETS } from './go-targets.js';
import { closeAll, connectNetwork } from './connect.js';
import { upDocker } from './docker.js';
import { dockerAvailable, prepareDocker, stopDockerd } from './engine.js';
import { composeFilesFor, ensureLocalImages } from './images.js';
import { downNetwork } from './lifecycle.js';
import { upNative } from './native.js';
import { loadNetwork, nodeRoleSchema, type NodeRole } from './network-file.js';
import { attachPolar } from './polar.js';
import { processStatus, readState } from './state.js';
import { resolveTopology } from './topology.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_OUT = join(ROOT, '.regtest', 'network.json');
const DEFAULT_STATE = join(ROOT, '.regtest', 'state');

const HELP: Record<string, string> = {
  up: `network:up — start a regtest network (bitcoin + 5 LND nodes) and write its description.

  --native           btcd + lnd built from source into ~/.cache/l402-lab (needs Go; first build ~5 min)
  --docker           docker-compose.yml on a Docker engine, with Polar's images
                     default: docker when \`docker info\` answers, native otherwise
  --local-images     with --docker: add docker-compose.local.yml, images built here
                     FROM scratch from the native binaries, btcd as chain backend
                     (no registry needed); default: Polar's images if present or
                     pullable, else the local ones
  --polar-images     with --docker: Polar's images only (docker-compose.yml alone)
  --prepare          with --docker: install the engine and Compose plugin where
                     missing and start dockerd if none answers (network:down stops
                     a dockerd started this way)
  --topology NAME    'default' (hub, seller-1/2, buyer-1/2) or a JSON file (see docs/real-lightning.md)
  --out PATH         where network.json goes (default .regtest/network.json)
  --state DIR        pids and logs (default .regtest/state)

The daemons keep running in the background; stop them with \`npm run network:down\`.`,
  down: `network:down — stop what network:up started and remove its data (docker:
containers, networks and volumes), and a dockerd that --prepare started.

  --state DIR        as given to up (default .regtest/state)`,
  attach: `network:attach — describe a running Polar network as network.json.

  --polar ID|NAME|DIR  the network's id or name as Polar shows them, or its folder
  --polar-home DIR     Polar's data folder (default: ~/.local/share/polar, then ~/.polar);
                       repeatable, searched in order
  --role NAME=ROLE     node role (hub|seller|buyer|router|reseller|other); repeatable;
                       only LND and litd nodes take roles
  --running-only       attach the nodes that answer and leave stopped ones out
  --out PATH           where network.json goes (default .regtest/network.json)

Reads Polar's networks.json (node kinds, ports, paths); LND and litd nodes are
attached, every other node is named in a warning.`,
  status: `status — show the nodes of network.json, their balances and the daemons.

  --out PATH         network.json to read (default .regtest/network.json)
  --state DIR        (default .regtest/state)`,
  build: `build — build (or find) the pinned btcd, btcctl and lnd binaries; --aperture adds Aperture.`,
  'docker-prepare': `docker-prepare — make Docker usable: install docker.io (apt-get, root) when there
is no engine, build Compose v2 into ~/.cache/l402-lab and link it as
~/.docker/cli-plugins/docker-compose when \`docker compose\` is missing, start
dockerd when no daemon answers; --local-images also builds the local images.`,
  'docker-stop': `docker-stop — stop the dockerd docker-prepare (or network:up --prepare) started, if any.`,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || !(command in HELP)) {
    console.log(`usage: tsx infra/regtest/cli.ts <${Object.keys(HELP).join('|')}> [--help]\n`);
    for (const text of Object.values(HELP)) console.log(text.split('\n')[0]);
    return command && !['--help', '-h'].includes(command) ? 2 : 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      help: { type: 'boolean', short: 'h' },
      native: { type: 'boolean' },
      docker: { type: 'boolean' },
      'local-images': { type: 'boolean' },
      'polar-images': { type: 'boolean' },
      prepare: { type: 'boolean' },
      aperture: { type: 'boolean' },
      topology: { type: 'string', default: 'default' },
      out: { type: 'string', default: DEFAULT_OUT },
      state: { type: 'string', default: DEFAULT_STATE },
      polar: { type: 'string' },
      role: { type: 'string', multiple: true, default: [] },
      'polar-home': { type: 'string', multiple: true, default: [] },
      'running-only': { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  const logger = createLogger({ name: 'regtest' });
  const clock = systemClock;
  const stateDir = resolve(values.state);
  const out = resolve(values.out);

  switch (command) {
    case 'build': {
      const bins = await ensureBinaries([...REGTEST_TARGETS, ...(values.aperture ? [APERTURE] : [])], {
        clock,
        logger,
      });
      for (const [name, path] of Object.entries(bins)) console.log(`${name.padEnd(10)} ${path}`);
      return 0;
    }
    case 'docker-prepare': {
      const { actions } = await prepareDocker({ clock, logger });
      if (values['local-images'])
        actions.push(`local images: ${(await ensureLocalImages({ clock, logger })).join(', ')}`);
      console.log(actions.length ? actions.join('\n') : 'Docker engine and Compose plugin already there');
      return 0;
    }
    case 'docker-stop': {
      console.log(
        (await stopDockerd(clock)) ? 'stopped the dockerd we started' : 'no dockerd of ours to stop',
      );
      return 0;
    }
    case 'up': {
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
      const net = docker
        ? await upDocker({
            composeFiles: (
              await composeFilesFor(
                values['local-images'] ? 'local' : values['polar-images'] ? 'polar' : 'auto',
                { clock, logger },
              )
            ).files,
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
      for (const n of net.nodes)
        console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${n.restUrl}  ${n.pubkey}`);
      console.log('\nstop it with: npm run network:down');
      return 0;
    }
    case 'down': {
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
      if (await stopDockerd(clock))
        console.log('stopped the dockerd that --prepare (or docker-prepare) started');
      return 0;
    }
    case 'attach': {
      if (!values.polar) throw new Error('attach needs --polar <id|name|folder> (see --help)');
      const roles: Record<string, NodeRole> = {};
      for (const pair of values.role) {
        const [name, role] = pair.split('=');
        const parsed = nodeRoleSchema.safeParse(role);
        if (!name || !parsed.success)
          throw new Error(
            `--role ${pair}: expected NAME=ROLE with ROLE one of ${nodeRoleSchema.options.join('|')}`,
          );
        roles[name] = parsed.data;
      }
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
      for (const n of net.nodes)
        console.log(`  ${n.name.padEnd(10)} ${n.role.padEnd(7)} ${n.restUrl}  ${n.pubkey}`);
      return 0;
    }
    case 'status': {
      const net = await loadNetwork(out);
      console.log(`${net.kind} network from ${out} (created ${net.createdAt})`);
      const nodes = await connectNetwork(net, { clock, retry: { maxWaitMs: 2_000 } });
      try {
        for (const d of net.nodes) {
          const b = await nodes
            .get(d.name)!
            .balances()
            .then(
              (x) =>
                `${x.channels} channels, local ${msatToSat(x.localMsat)} sat, on-chain ${x.onchainSat} sat`,
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
  }
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error & { code?: string };
    console.error(`error${e.code ? ` [${e.code}]` : ''}: ${e.message}`);
    process.exitCode = 1;
  },
);
