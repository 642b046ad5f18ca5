/**
 * A standalone seller on a real socket: `npm run seller -- --archetype data-feed --port 7402`.
 * Embedded Lightning by default; `--network <network.json>` runs it on a regtest LND node.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { formatAuthorization, parseChallenges } from '../../infra/l402/index.js';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { SimNetwork } from '../../infra/lightning/simnet/index.js';
import { createLogger } from '../../infra/log.js';
import { createRng, type Rng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { loadNetwork, nodeByName, nodesByRole } from '../../infra/regtest/network-file.js';
import { listen } from '../http/listen.js';
import { RegistryClient } from '../registry/client.js';
import { nodeSigner } from '../registry/signing.js';
import { ARCHETYPES, createSeller, createSummarizer, parseSellerConfig, type Seller } from './index.js';
import { isLabError } from '../../infra/errors.js';

const USAGE = `usage: npm run seller -- --archetype <${ARCHETYPES.join('|')}> [options]

Runs one L402 seller (paywalled Hono app) on a real socket.

options:
  --archetype KIND         ${ARCHETYPES.join(', ')}
  --config FILE            seller config (JSON or YAML, see docs/services.md "Sellers"); flags override it
  --name NAME              service name (default: the archetype)
  --price-msat N           fixed unit price in msat (default 10000)
  --adversarial MODE       overcharge | wrong-payee | no-delivery | slow
  --pay-on-success         offer hold invoices (request header L402-Pay-On-Success: 1)
  --port N                 port (default 7402, clear of Polar's LND REST ports 8081+; 0 picks a free one)
  --host HOST              interface to bind (default 127.0.0.1)
  --public-url URL         URL buyers reach this seller at (default http://HOST:PORT)
  --network WHERE          embedded (default): an in-process Lightning network;
                           or a regtest network.json (npm run network:up) to use a real LND node
  --node NAME              with --network FILE: which node (default: the first with role seller)
  --registry URL           register the listing there (signed by the node), remove it on exit
  --seed S                 seed for data, latency and failures (default 1); keys and
                           preimages always come from the OS
  --demo                   embedded only: buy once from ourselves over HTTP and print the result
  -h, --help               show this help

LLM summaries use OPENAI_API_KEY (+ OPENAI_BASE_URL, OPENAI_MODEL) when set, an extractive fallback otherwise.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function readConfig(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch((e: Error) =>
    fail(`cannot read --config ${path}: ${e.message}`),
  );
  try {
    const v: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`--config ${path} must hold an object`);
    return v as Record<string, unknown>;
  } catch (e) {
    return fail(`--config ${path} does not parse: ${(e as Error).message}`);
  }
}

const OPTIONS = {
  archetype: { type: 'string' },
  config: { type: 'string' },
  name: { type: 'string' },
  'price-msat': { type: 'string' },
  adversarial: { type: 'string' },
  'pay-on-success': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  network: { type: 'string' },
  node: { type: 'string' },
  registry: { type: 'string' },
  seed: { type: 'string' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
type Config = ReturnType<typeof parseSellerConfig>;
type Logger = ReturnType<typeof createLogger>;

function readArgs(): Args {
  try {
    return parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** The seller configuration: the --config file, then the flags over it. */
async function configFrom(args: Args): Promise<Config> {
  const raw: Record<string, unknown> = args.config ? await readConfig(args.config) : {};
  if (args.archetype) raw.archetype = args.archetype;
  if (args.name) raw.name = args.name;
  if (args['price-msat'] !== undefined) {
    if (!/^\d+$/.test(args['price-msat']))
      fail(`--price-msat must be a positive integer, got ${args['price-msat']}`);
    raw.price = { kind: 'fixed', msat: Number(args['price-msat']) };
  }
  if (args.adversarial) raw.adversarial = { mode: args.adversarial };
  if (args['pay-on-success']) raw.payOnSuccess = true;
  try {
    return parseSellerConfig(raw);
  } catch (err) {
    return fail(isLabError(err, 'invalid_seller_config') ? err.message : String(err));
  }
}

interface Lightning {
  node: LightningNode;
  payeeNode?: LightningNode;
  /** The embedded network, when there is one. */
  net?: SimNetwork;
}

/** The seller's node (and a second payee for wrong-payee): embedded, or LND from a network.json. */
async function lightning(
  where: string,
  args: Args,
  config: Config,
  logger: Logger,
  rng: Rng,
): Promise<Lightning> {
  if (where === 'embedded') {
    const net = new SimNetwork({ clock: systemClock, rng: rng.fork('network'), logger });
    return { net, node: net.addNode({ alias: 'seller' }), payeeNode: net.addNode({ alias: 'payee' }) };
  }
  const desc = await loadNetwork(where);
  const chosen = args.node
    ? nodeByName(desc, args.node)
    : (nodesByRole(desc, 'seller')[0] ?? fail(`${where} has no node with role seller; pick one with --node`));
  const node = await LndNode.fromFiles(chosen, { logger });
  if (config.adversarial?.mode !== 'wrong-payee') return { node };
  const other =
    desc.nodes.find((n) => n.name !== chosen.name) ?? fail('wrong-payee needs a second node in the network');
  return { node, payeeNode: await LndNode.fromFiles(other, { logger }) };
}

/** Registers (or updates) the signed listing; returns how to remove it on exit. */
async function register(
  registry: string,
  seller: Seller,
  node: LightningNode,
  publicUrl: string,
): Promise<(() => Promise<unknown>) | undefined> {
  const client = new RegistryClient({ baseUrl: registry, fetch: (r) => fetch(r), clock: systemClock });
  const signer = await nodeSigner(node);
  const listing = seller.listing(publicUrl);
  let r = await client.register(listing, signer);
  if (!r.ok && r.code === 'already_listed') {
    const found = await client.search({ limit: 1000 });
    const mine = found.ok
      ? found.listings.find((l) => l.nodePubkey === listing.nodePubkey && l.url === listing.url)
      : undefined;
    if (mine) r = await client.update(mine.id, listing, signer);
  }
  if (!r.ok) {
    console.error(`registration at ${registry} failed: ${r.code}: ${r.message}`);
    return undefined;
  }
  console.log(`registered as ${r.listing.id} at ${registry}`);
  const id = r.listing.id;
  return () => client.remove(id, signer);
}

/** A sample request body per archetype, for --demo. */
function demoBody(archetype: Config['archetype']): { body?: string } {
  if (archetype === 'compute') return { body: JSON.stringify({ numbers: [1, 2, 3, 4] }) };
  if (archetype === 'llm-summary')
    return {
      body: JSON.stringify({ text: 'Agents pay per call. Lightning settles fast. Tokens carry caveats.' }),
    };
  return {};
}

/** --demo: buys one call from ourselves over HTTP on the embedded network and prints the result. */
async function demo(net: SimNetwork, seller: Seller, baseUrl: string, config: Config): Promise<void> {
  const buyer = net.addNode({ alias: 'demo-buyer' });
  net.openChannel(buyer, net.node('seller'), { capacityMsat: 1_000_000_000 });
  const url = `${baseUrl}${seller.path}`;
  const first = await fetch(url);
  const ch = parseChallenges(first.headers.get('www-authenticate') ?? '')[0]!;
  const paid = await buyer.pay(ch.invoice);
  const res = await fetch(url, {
    method: seller.method,
    headers: {
      authorization: formatAuthorization({ macaroon: ch.macaroon, preimage: paid.preimage ?? '' }),
      'content-type': 'application/json',
    },
    ...demoBody(config.archetype),
  });
  console.log(
    `demo: 402 for ${paid.amountMsat} msat, paid in ${paid.hops} hop(s), then ${res.status}: ${(await res.text()).slice(0, 300)}`,
  );
}

async function main(): Promise<void> {
  const args = readArgs();
  if (args.help) return void console.log(USAGE);
  const config = await configFrom(args);
  const port = args.port === undefined ? 7402 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${args.port}`);
  const logger = createLogger({ name: `seller:${config.name ?? config.archetype}` });
  const rng = createRng(args.seed ?? 1);
  const where = args.network ?? 'embedded';
  const { node, payeeNode, net } = await lightning(where, args, config, logger, rng);

  const seller = await createSeller(config, {
    node,
    ...(payeeNode ? { payeeNode } : {}),
    clock: systemClock,
    rng,
    logger,
    summarizer: await createSummarizer(process.env),
    onEvent: (e) => logger.info(e, `paywall ${e.type}`),
  });
  const http = await listen(seller.app.fetch, { port, hostname: args.host ?? '127.0.0.1' });
  const publicUrl = args['public-url'] ?? http.url;
  console.log(
    `${seller.name} (${config.archetype}) listening on ${http.url}: ${seller.method} ${seller.path}`,
  );
  console.log(`manifest: ${publicUrl}/.well-known/l402.json   node: ${seller.nodePubkey} (${where})`);
  const unregister = args.registry ? await register(args.registry, seller, node, publicUrl) : undefined;
  if (args.demo) await demo(net ?? fail('--demo needs the embedded network'), seller, http.url, config);

  const stop = async () => {
    await unregister?.().catch(() => undefined);
    await http.close();
    await seller.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`seller failed: ${(err as Error).message}`);
  process.exit(1);
});
