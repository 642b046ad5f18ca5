import type { Hono } from 'hono';
import type { Minter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import type { Rng, SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { L402Manifest, NegotiationOptions, PaywallEventListener, QuotaStore } from '../paywall/index.js';
import { buildManifest } from '../paywall/index.js';
import type { ListingFields } from '../registry/types.js';
import type { Archetype, ArchetypeDeps } from './archetype.js';
import { capacityGate, typicalLatencyMs } from './behaviour.js';
import { compute } from './compute.js';
import type { SellerConfig, SellerConfigInput } from './config.js';
import { parseSellerConfig } from './config.js';
import { dataFeed } from './data-feed.js';
import { llmSummary } from './llm-summary.js';
import { sellerApp, sellerWork, type BeforeWork } from './seller-app.js';
import { sellerPaywall } from './seller-paywall.js';
import { openSellerState, type SellerState } from './seller-state.js';
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
  /**
   * A state directory (seller-state.ts): the root key and the quota counters live there, so the
   * tokens sold keep working after a restart, with the calls they have left; one seller per
   * directory, held until `close`. Not with `minter` or `quotaStore`. Absent: both in memory.
   */
  stateDir?: string;
  /** The price may change while it runs (`setUnitPrice`): needs a fixed price. Default false. */
  repricing?: boolean;
  /** Answer buyers' bids (the paywall's `negotiation` option); absent: `config.negotiation`'s rule negotiator, else posted prices only. */
  negotiation?: NegotiationOptions;
  /**
   * The origin buyers reach the seller at, read per request: the manifest's provider uri. A seller
   * on a socket must give it (a request's Host header is the client's to choose); only an
   * in-memory app may go without, and then names each request's origin.
   */
  publicOrigin?: () => string;
  /** Run on each paid call the paywall accepted, before the work (`BeforeWork`): e.g. buying the call's inputs. */
  beforeWork?: BeforeWork;
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
  /** Shutdown: cancels the hold invoices still in flight, so no payer's HTLC stays locked; closes the state directory. */
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
  const { node, clock, rng, logger = silentLogger } = deps;
  if (config.adversarial?.mode === 'wrong-payee' && !deps.payeeNode)
    throw new LabError(
      'invalid_seller_config',
      'adversarial mode wrong-payee needs deps.payeeNode (the node that really issues invoices)',
    );
  const archetype = ARCHETYPES[config.archetype]({
    clock,
    rng: rng.fork('data'),
    quality: config.quality,
    summarizer: deps.summarizer ?? extractiveSummarizer,
    logger,
  });
  const name = config.name ?? config.archetype;
  const latency = config.latency ?? archetype.defaultLatency;
  const latencyRng = rng.fork('latency');
  const failureRng = rng.fork('failures');
  const nodePubkey = (await node.info()).pubkey;

  const prices = sellerPrices(config, deps.repricing ?? false);
  const state = await openState(deps);
  let paywall;
  try {
    const paywallDeps = state
      ? { ...deps, rootSecret: state.rootSecret, quotaStore: state.quotaStore }
      : deps;
    paywall = sellerPaywall({
      config,
      deps: paywallDeps,
      name,
      capability: archetype.capability,
      prices,
      logger,
    });
  } catch (err) {
    await state?.close();
    throw err;
  }
  const capacity = config.capacity ?? archetype.defaultCapacity;
  const gate = capacityGate(capacity, Math.max(1, Math.ceil(typicalLatencyMs(latency) / 1000)));

  const work = sellerWork({
    config,
    name,
    archetype,
    clock,
    latency,
    latencyRng,
    failureRng,
    beforeWork: deps.beforeWork,
  });

  const manifestSpec = {
    providerName: name,
    services: [manifestServiceOf(config, name, archetype, prices.advertised())],
  };

  const { publicOrigin } = deps;
  const app = sellerApp({
    config,
    name,
    archetype,
    logger,
    node,
    manifestSpec,
    publicOrigin,
    gate,
    paywall,
    work,
  });

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
    close: async () => {
      await paywall.close();
      await state?.close();
    },
  };
}

/** `deps.stateDir` opened, when given. */
async function openState(deps: SellerDeps): Promise<SellerState | undefined> {
  if (deps.stateDir === undefined) return undefined;
  if (deps.minter || deps.quotaStore)
    throw new LabError(
      'invalid_seller_config',
      'deps.stateDir keeps the root key and the quota counters: give no minter or quotaStore with it',
    );
  return openSellerState(deps.stateDir);
}
