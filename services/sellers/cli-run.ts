/**
 * What `npm run seller` runs once its flags are checked (cli-args.ts): the
 * Lightning node (embedded, or LND from a network.json), the seller on a real
 * socket, the optional registration and --demo purchase.
 */
import { dirname, join, resolve } from 'node:path';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { SimNetwork } from '../../infra/lightning/simnet/index.js';
import { createLogger, type Logger } from '../../infra/log.js';
import { createRng, type Rng } from '../../infra/random.js';
import { loadNetwork, nodeByName, nodesByRole } from '../../infra/regtest/network-file.js';
import { systemClock } from '../../infra/time/clock.js';
import { usageError } from '../../infra/cli-options.js';
import { UnusableDirectoryError } from '../../infra/private-file.js';
import { CLOSE_GRACE_MS, listen, type Listening } from '../http/listen.js';
import { RegistryClient } from '../registry/client.js';
import { nodeSigner } from '../registry/signing.js';
import type { ListingFields } from '../registry/types.js';
import type { SellerArgs } from './cli-args.js';
import { runDemo } from './demo.js';
import { createSeller, createSummarizer, type Seller } from './index.js';
import { registerWithRetry, type SellerIo, type Unlist } from './registration.js';

interface Lightning {
  node: LightningNode;
  payeeNode?: LightningNode;
  /** The embedded network, when there is one. */
  net?: SimNetwork;
  /** The network.json node's name, with --network FILE. */
  nodeName?: string;
}

/** The seller's node (and a second payee for wrong-payee): embedded, or LND from a network.json. */
async function lightning(args: SellerArgs, logger: Logger, rng: Rng): Promise<Lightning> {
  const where = args.network;
  if (where === 'embedded') {
    const net = new SimNetwork({ clock: systemClock, rng: rng.fork('network'), logger });
    return { net, node: net.addNode({ alias: 'seller' }), payeeNode: net.addNode({ alias: 'payee' }) };
  }
  const desc = await loadNetwork(where);
  const chosen = args.node ? nodeByName(desc, args.node) : nodesByRole(desc, 'seller')[0];
  if (!chosen) throw usageError(`${where} has no node with role seller; pick one with --node`);
  const node = await LndNode.fromFiles(chosen, { logger });
  if (args.config.adversarial?.mode !== 'wrong-payee') return { node, nodeName: chosen.name };
  const other = desc.nodes.find((n) => n.name !== chosen.name);
  if (!other) throw usageError(`--adversarial wrong-payee needs a second node in ${where}`);
  return { node, nodeName: chosen.name, payeeNode: await LndNode.fromFiles(other, { logger }) };
}

/**
 * Where a seller on `network` keeps its state by default: with a network.json,
 * `sellers/<node>/<seller name>` beside it (the node's name with anything but
 * letters, digits, - and _ as _); on the embedded network none, since only
 * in-process buyers can pay it and none outlives the process.
 */
export function defaultStateDir(
  network: string,
  nodeName: string | undefined,
  name: string,
): string | undefined {
  if (network === 'embedded' || nodeName === undefined) return undefined;
  return join(dirname(resolve(network)), 'sellers', nodeName.replace(/[^A-Za-z0-9_-]/g, '_'), name);
}

/**
 * --registry: registers the listing signed by the node, retrying while the registry cannot take it
 * yet (registration.ts); a registry that refuses, or is still not there once the retries are over, is
 * reported and the seller keeps serving. `stopping` ends the retries.
 */
async function register(
  io: SellerIo,
  { registry, stopping, node }: { registry: string; stopping: AbortSignal; node: LightningNode },
  listing: () => ListingFields,
): Promise<Unlist | undefined> {
  try {
    const client = new RegistryClient({ baseUrl: registry, fetch: (r) => fetch(r), clock: systemClock });
    const deps = { io, registry, client, signer: await nodeSigner(node), clock: systemClock, stopping };
    return await registerWithRetry(deps, listing());
  } catch (err) {
    io.err(`registration at ${registry} failed: ${(err as Error).message}`);
    return undefined;
  }
}

/** --demo: one purchase from ourselves; whatever happens, it is reported and the seller keeps running. */
async function demo(io: SellerIo, net: SimNetwork, seller: Seller, baseUrl: string): Promise<void> {
  try {
    io.out(await runDemo(net, seller, baseUrl));
  } catch (err) {
    io.out(`demo: failed: ${(err as Error).message}`);
  }
}

/** A --state-dir the seller cannot make or use as a directory: a usage error naming the flag. */
function stateDirRefusal(err: unknown, flag: string | undefined): unknown {
  if (flag === undefined || !(err instanceof UnusableDirectoryError)) return err;
  return usageError(
    `--state-dir ${flag} is not a directory you can use (${err.why}); give a directory of your own`,
  );
}

/**
 * Stops serving: paid calls under way finish and are answered (up to CLOSE_GRACE_MS; a second
 * signal ends the process at once), so none is counted without its answer.
 */
async function finishCalls(io: SellerIo, http: Listening): Promise<void> {
  const n = http.inFlight();
  if (n > 0)
    io.out(
      `stopping: answering ${n} call${n === 1 ? '' : 's'} under way first (at most ${CLOSE_GRACE_MS / 1000} s; ` +
        'a second SIGINT or SIGTERM stops at once)',
    );
  await http.close();
}

/** Starts the seller the checked flags describe; SIGINT/SIGTERM stop it (and remove its listing), saying so. */
export async function runSeller(args: SellerArgs, io: SellerIo): Promise<void> {
  const { config } = args;
  const logger = createLogger({ name: `seller:${config.name ?? config.archetype}` });
  const rng = createRng(args.seed);
  const { node, payeeNode, net, nodeName } = await lightning(args, logger, rng);
  const name = config.name ?? config.archetype;
  const stateDir = args.stateDir ?? defaultStateDir(args.network, nodeName, name);
  // The manifest's uri: --public-url, else the address bound below (set before any request is read).
  let publicUrl = args.publicUrl ?? '';
  const seller = await createSeller(config, {
    node,
    ...(payeeNode ? { payeeNode } : {}),
    clock: systemClock,
    rng,
    logger,
    summarizer: await createSummarizer(process.env),
    onEvent: (e) => logger.info(e, `paywall ${e.type}`),
    publicOrigin: () => publicUrl,
    ...(stateDir !== undefined ? { stateDir } : {}),
  }).catch((err: unknown) => {
    throw stateDirRefusal(err, args.stateDir);
  });
  // A port already taken: the state directory is let go before the refusal is reported.
  const http = await listen(seller.app.fetch, { port: args.port, hostname: args.host }).catch(async (err) => {
    await seller.close();
    throw err;
  });
  publicUrl = args.publicUrl ?? http.url;
  // Registration starts now and `stop` ends its retries, then waits for the attempt under way: a
  // signal right after the lines below (a supervisor stopping a seller it saw start) still removes the listing.
  let listed: Promise<Unlist | undefined> = Promise.resolve(undefined);
  const stopping = new AbortController();
  const stop = async () => {
    stopping.abort();
    const removal = await (await listed)?.();
    await finishCalls(io, http);
    await seller.close();
    if (removal?.ok === false) io.err(`stopped; ${removal.line}`);
    else io.out(removal ? `stopped; ${removal.line}` : 'stopped');
    process.exit(0);
  };
  // Before the first line saying the seller is up: whoever acts on that line can stop it. Once: a
  // second signal, of either kind, meets Node's default and ends the process.
  const onSignal = () => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    void stop();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  io.out(`${seller.name} (${config.archetype}) listening on ${http.url}: ${seller.method} ${seller.path}`);
  io.out(`manifest: ${publicUrl}/.well-known/l402.json   node: ${seller.nodePubkey} (${args.network})`);
  io.out(`state: ${stateDir ?? 'in memory (embedded network: no token sold outlives this process)'}`);
  const registry = args.registry;
  if (registry)
    listed = register(io, { registry, stopping: stopping.signal, node }, () => seller.listing(publicUrl));
  await listed;
  if (args.demo && net) await demo(io, net, seller, http.url);
}
