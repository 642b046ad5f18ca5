import type { Minter } from '../../infra/l402/index.js';
import { DerivedRootKeyStore, createMinter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import { osSecrets, type Rng, type SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { L402Paywall, NegotiationOptions, PaywallEventListener, QuotaStore } from '../paywall/index.js';
import { l402Paywall } from '../paywall/index.js';
import { drawLatencyMs } from './behaviour.js';
import type { LatencySpec, SellerConfig } from './config.js';
import { configNegotiation, perMsRate } from './negotiation.js';
import type { SellerPrices } from './seller-pricing.js';

/** The seller's dependencies the paywall uses (see `SellerDeps` for each). */
export interface SellerPaywallDeps {
  node: LightningNode;
  clock: Clock;
  rng: Rng;
  secrets?: SecretSource;
  /** The secret root keys are derived from (a state directory's); default: drawn from `secrets`. */
  rootSecret?: Uint8Array;
  minter?: Minter;
  payeeNode?: LightningNode;
  onEvent?: PaywallEventListener;
  quotaStore?: QuotaStore;
  negotiation?: NegotiationOptions;
}

/** What the seller's paywall is built from. */
export interface SellerPaywallParts {
  config: SellerConfig;
  deps: SellerPaywallDeps;
  /** Service name (caveats). */
  name: string;
  /** The capability its tokens grant. */
  capability: string;
  prices: SellerPrices;
  logger: Logger;
}

/**
 * The seller's L402 paywall: a minter over root keys derived from
 * `deps.rootSecret`, else the seller's secrets (unless `deps.minter` is given), invoices from its node
 * (or, for a wrong-payee adversary, from `deps.payeeNode`), its tiers, what
 * it gives back of failed calls, and the optional rate limit, quote latency,
 * event listener, quota store and negotiation (`deps.negotiation`, else the
 * config's rule negotiator).
 */
export function sellerPaywall({
  config,
  deps,
  name,
  capability,
  prices,
  logger,
}: SellerPaywallParts): L402Paywall {
  const { node, clock, rng, secrets = osSecrets } = deps;
  const keys = secrets.fork('keys');
  // Root keys derived from one secret: a challenge nobody pays leaves nothing behind.
  const minter =
    deps.minter ??
    createMinter({
      rootKeys: new DerivedRootKeyStore(deps.rootSecret ?? keys.fork('root').bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    });
  return l402Paywall({
    node: config.adversarial?.mode === 'wrong-payee' ? deps.payeeNode! : node,
    minter,
    service: name,
    clock,
    tiers: prices.paywallTiers,
    capability,
    strict: config.strict,
    payOnSuccess: config.payOnSuccess,
    ...giveBack(config),
    secrets: secrets.fork('preimages'),
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    ...(config.quoteLatency
      ? { quoteDelayMs: quoteDelay(config.quoteLatency, rng.fork('quote-latency')) }
      : {}),
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    ...(deps.quotaStore ? { quotaStore: deps.quotaStore } : {}),
    ...negotiation(config, deps),
    logger,
  });
}

/** What the seller gives back of calls its handler failed: quota calls (maxCallsGivenBack, 0 none) and refunds. */
function giveBack(config: SellerConfig) {
  const max = config.maxCallsGivenBack;
  return {
    // A taker keeps the call it fails: its 500 does not give the call back, as an honest seller's does.
    releaseQuotaOnServerError: config.adversarial?.mode !== 'no-delivery' && max !== 0,
    ...(max ? { maxCallsGivenBack: max } : {}),
    ...(config.holdRefundRate ? { holdRefundRate: perMsRate(config.holdRefundRate) } : {}),
  };
}

/** The paywall's negotiation: the one the caller built (the simulator's, maybe a model), else the config's. */
function negotiation(config: SellerConfig, deps: SellerPaywallDeps) {
  const n = deps.negotiation ?? (config.negotiation && configNegotiation(config.negotiation));
  return n ? { negotiation: n } : {};
}

/** Draws the seller's time to quote from its own stream (so quoting never shifts the service-time draws). */
function quoteDelay(spec: LatencySpec, rng: Rng): () => number {
  return () => drawLatencyMs(spec, rng);
}
