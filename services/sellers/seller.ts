import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import type { Minter } from '../../infra/l402/index.js';
import { DerivedRootKeyStore, createMinter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import { osSecrets, type Rng, type SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type {
  L402Manifest,
  ManifestSpec,
  NegotiationOptions,
  PaywallEventListener,
  QuotaStore,
} from '../paywall/index.js';
import { MANIFEST_PATH, buildManifest, l402Paywall, manifestHandler } from '../paywall/index.js';
import type { ListingFields } from '../registry/types.js';
import type { Archetype, ArchetypeDeps } from './archetype.js';
import { capacityGate, drawLatencyMs, typicalLatencyMs, type CapacityGate } from './behaviour.js';
import { compute } from './compute.js';
import type { LatencySpec, SellerConfig, SellerConfigInput } from './config.js';
import { parseSellerConfig } from './config.js';
import { dataFeed } from './data-feed.js';
import { llmSummary } from './llm-summary.js';
import { manifestServiceOf, sellerPrices } from './seller-pricing.js';
import type { Summarizer } from './summarizer.js';
import { extractiveSummarizer } from './summarizer.js';
import { LabError } from '../../infra/errors.js';

/** What a seller runs on. */
export interface SellerDeps {
  /** The seller's node: named in the listing and the manifest, and (honest sellers) the payee of every invoice. */
  node: LightningNode;
  clock: Clock;
  /** The seller's seeded stream for data, latency and failures (never for secrets). */
  rng: Rng;
  logger?: Logger;
  /**
   * Root keys, token ids and hold-invoice preimages. Default: the OS CSPRNG.
   * Only the simulator passes `insecureSeededSecrets(rng)`, so its runs repeat.
   */
  secrets?: SecretSource;
  /** Default: a fresh minter over an in-memory root-key store, keyed from `secrets`. */
  minter?: Minter;
  /** wrong-payee mode only: the node that really issues the invoices. */
  payeeNode?: LightningNode;
  /** llm-summary: the model; default the extractive fallback. */
  summarizer?: Summarizer;
  onEvent?: PaywallEventListener;
  quotaStore?: QuotaStore;
  /** The price may change while it runs (`setUnitPrice`): needs a fixed price. Default false. */
  repricing?: boolean;
  /** Answer buyers' bids (the paywall's `negotiation` option); absent: posted prices only. */
  negotiation?: NegotiationOptions;
}

/** A running seller: a Hono app plus what it tells the world about itself. */
export interface Seller {
  app: Hono;
  config: SellerConfig;
  /** Service name (caveats, listing). */
  name: string;
  /** The paid route. */
  path: string;
  method: 'GET' | 'POST';
  /** Pubkey the seller advertises (the listing's nodePubkey). */
  nodePubkey: string;
  /** The `/.well-known/l402.json` document as served at `baseUrl`. */
  manifest(baseUrl: string): L402Manifest;
  /** The listing fields to sign and register, for a seller reachable at `baseUrl`. */
  listing(baseUrl: string): ListingFields;
  /** Posts a new unit price: the next 402 quote, the manifest and `listing()` say it (repricing sellers only). */
  setUnitPrice(msat: number): void;
  /** Calls in progress (capacity accounting). */
  readonly inUse: number;
  /** Shutdown: cancels the hold invoices still in flight, so no payer's HTLC stays locked. */
  close(): Promise<void>;
}

const ARCHETYPES: Record<SellerConfig['archetype'], (d: ArchetypeDeps) => Archetype> = {
  'data-feed': dataFeed,
  compute: () => compute(),
  'llm-summary': llmSummary,
};

/**
 * Builds a seller from a configuration (validated here; LabError 'invalid_seller_config'
 * names every bad field). Honest by default; `config.adversarial` makes it
 * overcharge, invoice from another node, take the money without delivering,
 * or answer slowly.
 *
 * @example
 * const seller = await createSeller({ archetype: 'data-feed', price: { kind: 'fixed', msat: 5_000 } }, { node, clock, rng });
 * const res = await seller.app.request('/v1/anomalies?region=eu'); // 402 + challenge
 */
export async function createSeller(
  input: SellerConfigInput | SellerConfig,
  deps: SellerDeps,
): Promise<Seller> {
  const config = parseSellerConfig(input);
  const { node, clock, rng, logger = silentLogger, secrets = osSecrets } = deps;
  const adv = config.adversarial;
  if (adv?.mode === 'wrong-payee' && !deps.payeeNode)
    throw new LabError(
      'invalid_seller_config',
      'adversarial mode wrong-payee needs deps.payeeNode (the node that really issues invoices)',
    );
  const archetype = ARCHETYPES[config.archetype]({
    clock,
    rng: rng.fork('data'),
    quality: config.quality,
    summarizer: deps.summarizer ?? extractiveSummarizer,
  });
  const name = config.name ?? config.archetype;
  const latency = config.latency ?? archetype.defaultLatency;
  const latencyRng = rng.fork('latency');
  const failureRng = rng.fork('failures');
  const keys = secrets.fork('keys');
  // Root keys derived from one secret: a challenge nobody pays leaves nothing behind.
  const minter =
    deps.minter ??
    createMinter({
      rootKeys: new DerivedRootKeyStore(keys.fork('root').bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    });
  const nodePubkey = (await node.info()).pubkey;

  const prices = sellerPrices(config, deps.repricing ?? false);

  const paywall = l402Paywall({
    node: adv?.mode === 'wrong-payee' ? deps.payeeNode! : node,
    minter,
    service: name,
    clock,
    tiers: prices.paywallTiers,
    capability: archetype.capability,
    strict: config.strict,
    payOnSuccess: config.payOnSuccess,
    secrets: secrets.fork('preimages'),
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    ...(config.quoteLatency
      ? { quoteDelayMs: quoteDelay(config.quoteLatency, rng.fork('quote-latency')) }
      : {}),
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    ...(deps.quotaStore ? { quotaStore: deps.quotaStore } : {}),
    ...(deps.negotiation ? { negotiation: deps.negotiation } : {}),
    logger,
  });
  const capacity = config.capacity ?? archetype.defaultCapacity;
  const gate = capacityGate(capacity, Math.max(1, Math.ceil(typicalLatencyMs(latency) / 1000)));

  const work = sellerWork({ config, name, archetype, clock, latency, latencyRng, failureRng });

  const manifestSpec = {
    providerName: name,
    services: [manifestServiceOf(config, name, archetype, prices.advertised())],
  };

  const app = sellerApp({ config, name, archetype, logger, node, manifestSpec, gate, paywall, work });

  return {
    app,
    config,
    name,
    path: archetype.path,
    method: archetype.method,
    nodePubkey,
    manifest: (baseUrl) => buildManifest(manifestSpec, nodePubkey, new URL(baseUrl).origin),
    listing: (baseUrl) => ({
      name,
      url: new URL(archetype.path, baseUrl).toString(),
      category: config.category ?? archetype.category,
      capabilities: [archetype.capability],
      tiers: prices.advertised(),
      nodePubkey,
      description: config.description ?? archetype.description,
      quality: config.quality,
    }),
    setUnitPrice(msat) {
      prices.setUnitPrice(msat);
      // The manifest handler reads the spec per request.
      manifestSpec.services = [manifestServiceOf(config, name, archetype, prices.advertised())];
    },
    get inUse() {
      return gate.inUse;
    },
    close: () => paywall.close(),
  };
}

/** Draws the seller's time to quote from its own stream (so quoting never shifts the service-time draws). */
function quoteDelay(spec: LatencySpec, rng: Rng): () => number {
  return () => drawLatencyMs(spec, rng);
}

/** What the paid route does behind the paywall and the capacity gate. */
interface WorkDeps {
  config: SellerConfig;
  name: string;
  archetype: Archetype;
  clock: Clock;
  latency: LatencySpec;
  latencyRng: Rng;
  failureRng: Rng;
}

/** The paid work: the drawn latency (plus a slow seller's delay), a drawn failure, an adversary's non-delivery, or the archetype's answer. */
function sellerWork({ config, name, archetype, clock, latency, latencyRng, failureRng }: WorkDeps) {
  const adv = config.adversarial;
  return async (c: Context): Promise<Response> => {
    await clock.sleep(drawLatencyMs(latency, latencyRng) + (adv?.mode === 'slow' ? adv.delayMs : 0));
    if (config.failureRate > 0 && failureRng.next() < config.failureRate)
      return c.json({ error: 'service_failed', message: `${name} failed to serve this call` }, 500);
    if (adv?.mode === 'no-delivery')
      return adv.answer === 'empty'
        ? c.body(null, 200)
        : c.json({ error: 'internal', message: 'try again later' }, 500);
    return archetype.handle(c);
  };
}

/** What the seller's Hono app wires together. */
interface AppParts {
  config: SellerConfig;
  name: string;
  archetype: Archetype;
  logger: Logger;
  node: LightningNode;
  manifestSpec: ManifestSpec;
  gate: CapacityGate;
  paywall: MiddlewareHandler;
  work: (c: Context) => Promise<Response>;
}

/** The seller's routes: its index, the manifest, the paid route (and a GET quote for POST routes), JSON 404 and 500. */
function sellerApp({
  config,
  name,
  archetype,
  logger,
  node,
  manifestSpec,
  gate,
  paywall,
  work,
}: AppParts): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      name,
      archetype: config.archetype,
      resource: `${archetype.method} ${archetype.path}`,
      manifest: MANIFEST_PATH,
    }),
  );
  // The manifest names the advertised node even for a wrong-payee seller: that is the lie a buyer must catch.
  app.get(MANIFEST_PATH, manifestHandler(manifestSpec, node));
  if (archetype.method === 'POST') {
    // A GET without a token is a quote (402 challenge), so probes and buyers can read the price without a body.
    app.get(
      archetype.path,
      async (c, next) =>
        c.req.header('authorization') === undefined
          ? next()
          : c.json({ error: 'method_not_allowed', message: `use POST ${archetype.path}` }, 405),
      gate.middleware,
      paywall,
    );
  }
  app.on(archetype.method, archetype.path, gate.middleware, paywall, work);
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    logger.error({ err, path: c.req.path }, 'seller handler failed');
    return c.json({ error: 'internal', message: 'the seller failed to handle this request' }, 500);
  });
  return app;
}
