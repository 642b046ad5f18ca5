/**
 * The regtest CLI's help: one entry per command (the way a user types it, a
 * one-line summary, the options), and the overview `--help` prints.
 */
import { COMMAND_NAMES, commandLabel, type CommandName } from './cli-args.js';

interface CommandHelp {
  /** How a user runs it: the npm script, or tsx for the commands without one. */
  invocation: string;
  /** One complete line: the overview lists these. */
  summary: string;
  /** Options and notes, after the summary. */
  details?: string;
}

const HELP: Record<CommandName, CommandHelp> = {
  up: {
    invocation: 'npm run network:up',
    summary: 'start a regtest network (bitcoin + 5 LND nodes) and write its description.',
    details: `  --native           btcd + lnd built from source into ~/.cache/l402-lab (needs Go; first build ~5 min)
  --docker           docker-compose.yml on a Docker engine, with Polar's images
                     default: docker when \`docker info\` answers, native otherwise
  --local-images     needs --docker: add docker-compose.local.yml, images built here
                     FROM scratch from the native binaries, btcd as chain backend
                     (no registry needed); default: Polar's images if present or
                     pullable, else the local ones
  --polar-images     needs --docker: Polar's images only (docker-compose.yml alone)
  --prepare          needs --docker: install the engine and Compose plugin where
                     missing and start dockerd if none answers (network:down stops
                     a dockerd started this way)
  --topology NAME    'default' (hub, seller-1/2, buyer-1/2) or a JSON file (see docs/real-lightning.md)
  --out PATH         where network.json goes (default .regtest/network.json)
  --state DIR        pids and logs (default .regtest/state)

The daemons keep running in the background; stop them with \`npm run network:down\`.
Ctrl-C stops the bring-up and tears down what it started (exit 130); Ctrl-C
during that teardown says it is under way, a third exits at once.`,
  },
  down: {
    invocation: 'npm run network:down',
    summary: 'stop what network:up started and remove its data.',
    details: `  --state DIR        as given to up (default .regtest/state)

A docker network loses its containers, networks and volumes too, and a
dockerd that --prepare started is stopped. Ctrl-C lets the teardown finish;
a second exits at once (what is left stays recorded: run down again).`,
  },
  attach: {
    invocation: 'npm run network:attach',
    summary: 'describe a running Polar network as network.json.',
    details: `  --polar ID|NAME|DIR  the network's id or name as Polar shows them, or its folder
  --polar-home DIR     Polar's data folder (default: ~/.local/share/polar, then ~/.polar);
                       repeatable, searched in order
  --role NAME=ROLE     node role (hub|seller|buyer|router|reseller|other); repeatable;
                       only LND and litd nodes take roles
  --running-only       attach the nodes that answer and leave stopped ones out
  --out PATH           where network.json goes (default .regtest/network.json)

Reads Polar's networks.json (node kinds, ports, paths); LND and litd nodes are
attached, every other node is named in a warning.`,
  },
  status: {
    invocation: 'npm run network:status',
    summary: 'show the nodes of network.json, their balances and the daemons.',
    details: `  --out PATH         network.json to read (default .regtest/network.json)
  --state DIR        pids of the daemons (default .regtest/state)

Exits 1 when a node does not answer, so scripts can wait on it.`,
  },
  build: {
    invocation: 'npm run network:build',
    summary: 'build (or find) the pinned btcd, btcctl and lnd binaries.',
    details: `  --aperture         build (or find) Aperture too`,
  },
  'docker-prepare': {
    invocation: 'npx tsx infra/regtest/cli.ts docker-prepare',
    summary: 'make Docker usable: engine, Compose plugin and dockerd.',
    details: `  --local-images     build the local images too

Installs docker.io (apt-get, root) when there is no engine, builds Compose v2
into ~/.cache/l402-lab and links it as ~/.docker/cli-plugins/docker-compose
when \`docker compose\` is missing, and starts dockerd when no daemon answers.`,
  },
  'docker-stop': {
    invocation: 'npx tsx infra/regtest/cli.ts docker-stop',
    summary: 'stop the dockerd docker-prepare (or network:up --prepare) started, if any.',
  },
};

/** A command's `--help`. */
export function commandHelp(name: CommandName): string {
  const { invocation, summary, details } = HELP[name];
  return `${invocation} — ${summary}${details ? `\n\n${details}` : ''}`;
}

/** The overview: how to run a command and each command's summary. */
export function overviewHelp(): string {
  const lines = COMMAND_NAMES.map((name) => `  ${commandLabel(name).padEnd(16)} ${HELP[name].summary}`);
  return `usage: npm run network:<up|down|attach|status|build> -- [options]
       npx tsx infra/regtest/cli.ts <command> [options]   (docker-prepare, docker-stop: this way only)

${lines.join('\n')}

Each command has --help.`;
}
