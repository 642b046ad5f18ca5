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
import { createRng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { loadNetwork, nodeByName, nodesByRole } from '../../infra/regtest/network-file.js';
import { listen } from '../http/listen.js';
import { RegistryClient } from '../registry/client.js';
import { nodeSigner } from '../registry/signing.js';
import { ARCHETYPES, createSeller, createSummarizer, parseSellerConfig } from './index.js';
import { isLabError } from '../../infra/errors.js';

const USAGE = `usage: npm run seller -- --archetype <${ARCHETYPES.join('|')}> [options]

Runs one L402 seller (paywalled Hono app) on a real socket.

options:
  --archetype KIND         ${ARCHETYPES.join(', ')}
  --config FILE            seller config (JSON or YAML, see README "Sellers"); flags override it
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

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
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
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) return void console.log(USAGE);

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
  let config;
  try {
    config = parseSellerConfig(raw);
  } catch (err) {
    fail(isLabError(err, 'invalid_seller_config') ? err.message : String(err));
  }
  const port = args.port === undefined ? 7402 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${args.port}`);
  const host = args.host ?? '127.0.0.1';
  const logger = createLogger({ name: `seller:${config.name ?? config.archetype}` });
  const rng = createRng(args.seed ?? 1);

  let node: LightningNode;
  let payeeNode: LightningNode | undefined;
  let net: SimNetwork | undefined;
  const where = args.network ?? 'embedded';
  if (where === 'embedded') {
    net = new SimNetwork({ clock: systemClock, rng: rng.fork('network'), logger });
    node = net.addNode({ alias: 'seller' });
    payeeNode = net.addNode({ alias: 'payee' });
  } else {
    const desc = await loadNetwork(where);
    const chosen = args.node
      ? nodeByName(desc, args.node)
      : (nodesByRole(desc, 'seller')[0] ??
        fail(`${where} has no node with role seller; pick one with --node`));
    node = await LndNode.fromFiles(chosen, { logger });
    if (config.adversarial?.mode === 'wrong-payee') {
      const other =
        desc.nodes.find((n) => n.name !== chosen.name) ??
        fail('wrong-payee needs a second node in the network');
      payeeNode = await LndNode.fromFiles(other, { logger });
    }
  }

  const seller = await createSeller(config, {
    node,
    ...(payeeNode ? { payeeNode } : {}),
    clock: systemClock,
    rng,
    logger,
    summarizer: await createSummarizer(process.env),
    onEvent: (e) => logger.info(e, `paywall ${e.type}`),
  });
  const http = await listen(seller.app.fetch, { port, hostname: host });
  const publicUrl = args['public-url'] ?? http.url;
  console.log(
    `${seller.name} (${config.archetype}) listening on ${http.url}: ${seller.method} ${seller.path}`,
  );
  console.log(`manifest: ${publicUrl}/.well-known/l402.json   node: ${seller.nodePubkey} (${where})`);

  let unregister: (() => Promise<unknown>) | undefined;
  if (args.registry) {
    const client = new RegistryClient({ baseUrl: args.registry, fetch: (r) => fetch(r), clock: systemClock });
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
    if (!r.ok) console.error(`registration at ${args.registry} failed: ${r.code}: ${r.message}`);
    else {
      console.log(`registered as ${r.listing.id} at ${args.registry}`);
      const id = r.listing.id;
      unregister = () => client.remove(id, signer);
    }
  }

  if (args.demo) {
    if (!net) fail('--demo needs the embedded network');
    const buyer = net.addNode({ alias: 'demo-buyer' });
    net.openChannel(buyer, net.node('seller'), { capacityMsat: 1_000_000_000 });
    const url = `${http.url}${seller.path}`;
    const first = await fetch(url);
    const ch = parseChallenges(first.headers.get('www-authenticate') ?? '')[0]!;
    const paid = await buyer.pay(ch.invoice);
    const init: RequestInit = {
      method: seller.method,
      headers: {
        authorization: formatAuthorization({ macaroon: ch.macaroon, preimage: paid.preimage ?? '' }),
        'content-type': 'application/json',
      },
      ...(config.archetype === 'compute' ? { body: JSON.stringify({ numbers: [1, 2, 3, 4] }) } : {}),
      ...(config.archetype === 'llm-summary'
        ? {
            body: JSON.stringify({
              text: 'Agents pay per call. Lightning settles fast. Tokens carry caveats.',
            }),
          }
        : {}),
    };
    const res = await fetch(url, init);
    console.log(
      `demo: 402 for ${paid.amountMsat} msat, paid in ${paid.hops} hop(s), then ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
  }

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
