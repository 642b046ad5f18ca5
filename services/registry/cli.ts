/**
 * The standalone registry: `npm run registry -- --port 8402 --data ./registry.json`.
 * HTTP API, WebSocket feed at /feed, health probes on the wall clock.
 */
import { parseArgs } from 'node:util';
import type { Network } from '../../infra/lightning/node.js';
import { createLogger } from '../../infra/log.js';
import { systemClock } from '../../infra/time/clock.js';
import { startRegistryServer } from './server.js';

const USAGE = `usage: npm run registry -- [options]

Runs the L402 service registry (HTTP API + WebSocket feed at /feed).

options:
  --port N                 port to listen on (default 8402; 0 picks a free one)
  --host HOST              interface to bind (default 127.0.0.1)
  --network NAME           Lightning network of the listed sellers: regtest (default),
                           simnet, signet, testnet or mainnet; ratings need its invoices
  --data FILE              keep listings and ratings in FILE (JSON, written atomically);
                           without it the registry forgets everything on exit
  --probe-interval-ms N    health probe period (default 60000; 0 disables probing)
  --probe-timeout-ms N     a probe slower than this fails (default 5000)
  --lab                    let probes reach loopback and private addresses (sellers on this
                           machine or a lab network); without it only public addresses
  -h, --help               show this help

routes: GET /listings?capability=&category=&maxPriceMsat=&alive=&sort=price|rating|latency&limit=
        GET /listings/:id   POST /listings   PUT /listings/:id   DELETE /listings/:id
        POST /listings/:id/ratings   GET /health   WebSocket /feed`;

const NETWORKS: readonly Network[] = ['regtest', 'simnet', 'signet', 'testnet', 'mainnet'];
const isNetwork = (s: string): s is Network => (NETWORKS as readonly string[]).includes(s);

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}\n\n${USAGE}`);
    process.exit(2);
  }
  return Number(value);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        network: { type: 'string' },
        'probe-interval-ms': { type: 'string' },
        'probe-timeout-ms': { type: 'string' },
        lab: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const network = args.network ?? 'regtest';
  if (!isNetwork(network)) {
    console.error(
      `--network must be one of ${NETWORKS.join(', ')}, got ${JSON.stringify(network)}\n\n${USAGE}`,
    );
    process.exit(2);
  }
  const logger = createLogger({ name: 'registry' });
  const server = await startRegistryServer({
    clock: systemClock,
    network,
    addressPolicy: args.lab ? 'lab' : 'public',
    port: int(args.port, 'port', 8402),
    hostname: args.host ?? '127.0.0.1',
    ...(args.data ? { dataFile: args.data } : {}),
    probeIntervalMs: int(args['probe-interval-ms'], 'probe-interval-ms', 60_000),
    probeTimeoutMs: Math.max(1, int(args['probe-timeout-ms'], 'probe-timeout-ms', 5_000)),
    logger,
  });
  console.log(`registry listening on ${server.url} (feed ${server.url.replace(/^http/, 'ws')}/feed)`);
  if (args.data) console.log(`data: ${args.data} (${server.registry.size} listings loaded)`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`registry failed to start: ${(err as Error).message}`);
  process.exit(1);
});
