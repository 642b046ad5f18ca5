/**
 * The standalone registry: `npm run registry -- --port 8402 --data ./registry.json`.
 * HTTP API, WebSocket feed at /feed, health probes on the wall clock.
 * Every flag is checked before anything loads or starts: usage errors exit 2, other failures 1.
 */
import type { parseArgs } from 'node:util';
import {
  integerOption,
  MAX_TIMER_MS,
  parseArgsError,
  portOption,
  refuseEmptyOptions,
  usageError,
  parseArgsOnce,
} from '../../infra/cli-options.js';
import { isLabError } from '../../infra/errors.js';
import { listenRefusal } from '../http/host-refusal.js';
import type { Network } from '../../infra/lightning/node.js';
import { createLogger } from '../../infra/log.js';
import { systemClock } from '../../infra/time/clock.js';
import { nameserverRefusal } from './name-resolution.js';
import { originOf } from './registry-origin.js';
import type { RegistryServerOptions } from './server.js';
import { ignoreClosedStdout } from '../../infra/closed-stdout.js';

ignoreClosedStdout();

const USAGE = `usage: npm run registry -- [options]

Runs the L402 service registry (HTTP API + WebSocket feed at /feed).

options:
  --port N                 port to listen on (default 8402; 0 picks a free one)
  --host HOST              interface to bind (default 127.0.0.1)
  --network NAME           Lightning network of the listed sellers: regtest (default),
                           simnet, signet, testnet or mainnet; ratings need its invoices
  --data FILE              keep listings and ratings in FILE (a JSON snapshot) and FILE.journal
                           (one fsynced line per change, folded into FILE as it grows);
                           without it the registry forgets everything on exit; one registry
                           per FILE (FILE.lock holds its pid)
  --public-url URL         the URL clients address this registry at (behind a proxy, or by
                           another name); signed writes name it, and a write signed for another
                           registry is refused; repeat for more (default http://HOST:PORT, and
                           the loopback names for a loopback or any-interface --host)
  --probe-interval-ms N    health probe period (default 60000; 0 disables probing)
  --probe-timeout-ms N     a probe slower than this fails (default 5000; at least 1)
  --lab                    list and probe sellers at loopback and private addresses (sellers
                           on this machine or a lab network); without it listings and probes
                           are refused for them, a listing's host name resolved when it is
                           registered (buyers send their tasks to a listing's url)
  --nameserver ADDR        DNS server to resolve listings' host names with, at registration
                           and for probes: an IP address with an optional port (192.0.2.1,
                           192.0.2.1:53, 2001:db8::1, [2001:db8::1]:53); repeat for more
                           (default the system's, from /etc/resolv.conf)
  --max-resolving N        most host names resolving at once at registration (default 8); a
                           registration beyond it is answered 503 resolve_unavailable, retry
  -h, --help               show this help

routes: GET /listings?capability=&category=&maxPriceMsat=&alive=&tier=single|bundle|pass|default
          &sells=single|bundle|pass&sort=price|rating|latency|random&ties=id|random&limit=
          (limit 1..1000, default 20; without sort, newest first; tier, sells, sort and ties:
          see docs/services.md "Registry")
        GET /listings/:id   POST /listings   PUT /listings/:id   DELETE /listings/:id
        POST /listings/:id/ratings   GET /health   WebSocket /feed`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'public-url': { type: 'string', multiple: true },
  network: { type: 'string' },
  'probe-interval-ms': { type: 'string' },
  'probe-timeout-ms': { type: 'string' },
  lab: { type: 'boolean' },
  nameserver: { type: 'string', multiple: true },
  'max-resolving': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

const NETWORKS: readonly Network[] = ['regtest', 'simnet', 'signet', 'testnet', 'mainnet'];
const isNetwork = (s: string): s is Network => (NETWORKS as readonly string[]).includes(s);

function parse(argv: string[]): Values {
  try {
    return parseArgsOnce({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (err) {
    throw parseArgsError(err);
  }
}

/** The server options the flags ask for (without clock and logger); 'help' when the help was asked for. */
function registryArgs(argv: string[]): Omit<RegistryServerOptions, 'clock' | 'logger'> | 'help' {
  const v = parse(argv);
  refuseEmptyOptions(v);
  if (v.help) return 'help';
  const network = v.network ?? 'regtest';
  if (!isNetwork(network))
    throw usageError(`--network must be one of ${NETWORKS.join(', ')}, got ${JSON.stringify(network)}`);
  const interval = v['probe-interval-ms'];
  const timeout = v['probe-timeout-ms'];
  const atOnce = v['max-resolving'];
  for (const server of v.nameserver ?? []) {
    const why = nameserverRefusal(server);
    if (why) throw usageError(`--nameserver ${why}`);
  }
  for (const url of v['public-url'] ?? [])
    if (originOf(url) === undefined)
      throw usageError(
        `--public-url ${JSON.stringify(url)} is not an http(s) URL; pass the URL clients address this registry at, e.g. --public-url https://registry.example`,
      );
  return {
    network,
    addressPolicy: v.lab ? 'lab' : 'public',
    port: v.port === undefined ? 8402 : portOption('port', v.port),
    hostname: v.host ?? '127.0.0.1',
    ...(v.data !== undefined ? { dataFile: v.data } : {}),
    ...(v['public-url'] !== undefined ? { publicUrls: v['public-url'] } : {}),
    probeIntervalMs:
      interval === undefined ? 60_000 : integerOption('probe-interval-ms', interval, 0, MAX_TIMER_MS),
    probeTimeoutMs:
      timeout === undefined ? 5_000 : integerOption('probe-timeout-ms', timeout, 1, MAX_TIMER_MS),
    ...(v.nameserver !== undefined ? { nameservers: v.nameserver } : {}),
    ...(atOnce !== undefined ? { maxResolving: integerOption('max-resolving', atOnce, 1) } : {}),
  };
}

/** `--data FILE` the store refused, as not a file (a directory) or in use by another registry, said as the flag's problem. */
function dataRefusal(err: unknown, args: { dataFile?: string }): string | undefined {
  if (args.dataFile === undefined) return undefined;
  if (isLabError(err, 'file_locked')) return `--data ${args.dataFile} cannot be used: ${err.message}`;
  if (!isLabError(err, 'not_a_file')) return undefined;
  return `--data ${args.dataFile} cannot be used: ${err.message}; pass --data the path of a file (made if missing), e.g. --data ./registry.json`;
}

async function main(): Promise<void> {
  const args = registryArgs(process.argv.slice(2));
  if (args === 'help') return void console.log(USAGE);
  // The server loads only once the flags are known good.
  const { startRegistryServer } = await import('./server.js');
  const logger = createLogger({ name: 'registry' });
  const server = await startRegistryServer({ ...args, clock: systemClock, logger }).catch((err: unknown) => {
    const refusal =
      listenRefusal(err, args.port ?? 0, args.hostname ?? '127.0.0.1') ?? dataRefusal(err, args);
    if (refusal === undefined) throw err;
    console.error(refusal);
    return process.exit(1);
  });
  const stop = async () => {
    await server.close();
    const size = server.registry.size;
    const listings = `${size} listing${size === 1 ? '' : 's'}`;
    console.log(
      args.dataFile
        ? `registry stopped; ${listings} kept in ${args.dataFile}`
        : `registry stopped; ${listings} forgotten (no --data)`,
    );
    process.exit(0);
  };
  // Before the line saying it is up: whoever acts on that line can stop it.
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  console.log(`registry listening on ${server.url} (feed ${server.url.replace(/^http/, 'ws')}/feed)`);
  console.log(`signed writes must name this registry as ${server.origins.join(' or ')} (--public-url)`);
  if (args.dataFile) console.log(`data: ${args.dataFile} (${server.registry.size} listings loaded)`);
}

main().catch((err: unknown) => {
  if (isLabError(err, 'usage')) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(`registry failed to start: ${(err as Error).message}`);
  process.exit(1);
});
