/**
 * Entry point: bring a real regtest Lightning network up and down.
 *
 *   npm run network:up     [-- --native|--docker] [--topology default|<file.json>] [--out .regtest/network.json]
 *   npm run network:down
 *   npm run network:attach -- --polar <id|name|folder> [--polar-home DIR] [--role alice=buyer …] [--running-only]
 *   npx tsx infra/regtest/cli.ts status | build | docker-prepare | docker-stop
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { systemClock } from '../time/clock.js';
import { cliOptions, COMMANDS } from './cli-commands.js';

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
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!command || !run || !(command in HELP)) {
    console.log(`usage: tsx infra/regtest/cli.ts <${Object.keys(HELP).join('|')}> [--help]\n`);
    for (const text of Object.values(HELP)) console.log(text.split('\n')[0]);
    return command && !['--help', '-h'].includes(command) ? 2 : 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: cliOptions({ out: DEFAULT_OUT, state: DEFAULT_STATE }),
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  const logger = createLogger({ name: 'regtest' });
  return run({
    values,
    clock: systemClock,
    logger,
    stateDir: resolve(values.state),
    out: resolve(values.out),
  });
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
