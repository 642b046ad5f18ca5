import type { Context } from 'hono';
import type { Minter, TokenFacts } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaywallEventListener } from './events.js';
import type { NegotiationOptions } from './negotiation-types.js';
import type { QuotaStore } from './quota-store.js';
import { rateLimitProblem, type RateLimit } from './rate-limiter.js';
import { invoiceExpiryProblem } from '../../infra/lightning/invoice-request.js';
import { checkGiveBackOptions } from './give-back.js';
import { check, positiveInt } from './option-check.js';
import { resolveTier, type ResolvedTier } from './tier.js';

/** What a dynamic price sees about the paywall's current load. */
export interface PaywallLoad {
  /** Requests of this paywall currently inside the handler. */
  inFlight: number;
}

/** A price in msat, fixed or computed per request (dynamic pricing). */
export type Price = number | ((c: Context, load: PaywallLoad) => number | Promise<number>);

/** One way to buy access through this paywall (see `L402PaywallOptions.tiers`). */
export interface PaywallTier {
  /** uint8, written into `services=name:tier`. */
  tier: number;
  name?: string;
  price: Price;
  /** Calls granted by the token (`<service>_max_calls`); absent = unlimited. */
  maxCalls?: number;
  /** Token lifetime (`<service>_valid_until`); absent = no expiry. */
  tokenLifetimeSec?: number;
  /** Calls the price is for (default `maxCalls`, else 1): a negotiator sees bids per call of it (per-call.ts). */
  pricedCalls?: number;
}

/** Options of `l402Paywall`. Validated once, when the middleware is built. */
export interface L402PaywallOptions {
  node: LightningNode;
  minter: Minter;
  /** Service name in caveats (`services=<service>:<tier>`, `<service>_…`). */
  service: string;
  clock: Clock;
  /** Single-tier shorthand: tier number (default 0), price, quota and lifetime. */
  tier?: number;
  price?: Price;
  maxCalls?: number;
  tokenLifetimeSec?: number;
  /** Several tiers; the buyer picks one with the `L402-Tier: <n>` request header (default: the first). */
  tiers?: PaywallTier[];
  /** The capability this route needs; tokens with a `<service>_capabilities` caveat must list it. */
  capability?: string;
  /** Capabilities written into new tokens (default: `[capability]` when a capability is set, else none = all). */
  capabilities?: string[];
  /** Methods new tokens are bound to (`<service>_methods`). */
  methods?: string[];
  /** Path prefix new tokens are bound to (`<service>_path_prefix`). */
  pathPrefix?: string;
  /** Invoice expiry in seconds (default 600). */
  invoiceExpirySec?: number;
  /** Invoice memo (default `<service> tier <n>`). */
  memo?: string;
  /** Ask the node that the token's invoice is settled before each call (Aperture's strictverify). */
  strict?: boolean;
  /** Offer hold invoices to requests with `L402-Pay-On-Success: 1`. */
  payOnSuccess?: boolean;
  /**
   * Let a pay-on-success buyer check a delivery before the hold settles: a
   * retry with `L402-Release: buyer` that the handler answers 2xx keeps the
   * HTLC held until the buyer sends `settle` or `cancel` (or the invoice
   * expires: canceled). For goods the buyer can only judge after receipt
   * (resale slices). Needs `payOnSuccess`.
   */
  buyerRelease?: boolean;
  /** Most hold invoices in flight (default 10,000); a new one then cancels the oldest unpaid, or is 503. */
  maxPendingHolds?: number;
  /** How long a pay-on-success retry waits for the HTLC to arrive (default 30 s). */
  holdTimeoutMs?: number;
  /** First poll interval while waiting for the HTLC, besides `onInvoice`, doubling to 2 s (default 50 ms). */
  holdPollMs?: number;
  /** Most pay-on-success retries waiting for their HTLC at once (default 1,000); beyond it a retry gets 503 + Retry-After. */
  maxWaitingRetries?: number;
  /** Hold-invoice preimages (default: the OS CSPRNG; simulations pass `insecureSeededSecrets`). */
  secrets?: SecretSource;
  /** Per-token rate limit on the paywall clock; over it, 429 with Retry-After. */
  rateLimit?: RateLimit;
  /**
   * The seller's time to quote: ms slept on the paywall clock before each 402
   * is issued, drawn per challenge (default: none, the 402 answers at once).
   */
  quoteDelayMs?: () => number;
  /** Give the call back to the quota when the handler answers 5xx or throws (default true). */
  releaseQuotaOnServerError?: boolean;
  /** Most calls each `max_calls` quota gets back on a 5xx (default, and at most: as many as it holds); see give-back.ts. */
  maxCallsGivenBack?: number;
  /** Most pay-on-success calls refunded after the handler ran, all buyers together (default 60 a minute); see give-back.ts. */
  holdRefundRate?: RateLimit;
  /** Let buyers bid (`L402-Bid`) below the posted price; see negotiate.ts. Plain buyers still pay the posted price. */
  negotiation?: NegotiationOptions;
  onEvent?: PaywallEventListener;
  quotaStore?: QuotaStore;
  logger?: Logger;
}

/** Context variables the paywall sets: `c.get('l402')` is the verified token. */
export type L402Variables = { l402: TokenFacts };

const SERVICE_RE = /^[^\s,:=]+$/;

/**
 * Checks options and computes each tier's fixed caveats. Throws
 * LabError('invalid_paywall_options') naming the bad option.
 */
export function resolveTiers(o: L402PaywallOptions): ResolvedTier[] {
  checkCoreOptions(o);
  const tiers = configuredTiers(o);
  const granted = grantedCapabilities(o);
  checkLimits(o);
  checkGiveBackOptions(o);
  const seen = new Set<number>();
  return tiers.map((t, i) => resolveTier(o, t, o.tiers ? `options.tiers[${i}]` : 'options', granted, seen));
}

/** The node, minter, clock and service name, and not both tier forms at once. */
function checkCoreOptions(o: L402PaywallOptions): void {
  check(o && typeof o === 'object', 'l402Paywall needs an options object');
  check(o.node && typeof o.node.createInvoice === 'function', 'options.node must be a LightningNode');
  check(o.minter && typeof o.minter.mint === 'function', 'options.minter must come from createMinter');
  check(o.clock && typeof o.clock.now === 'function', 'options.clock must be a Clock');
  check(
    typeof o.service === 'string' && SERVICE_RE.test(o.service),
    `options.service ${JSON.stringify(o.service)} must be a name without spaces , : =`,
  );
  check(
    !(
      o.tiers &&
      (o.price !== undefined ||
        o.tier !== undefined ||
        o.maxCalls !== undefined ||
        o.tokenLifetimeSec !== undefined)
    ),
    'give either options.tiers or the single-tier price/tier/maxCalls/tokenLifetimeSec, not both',
  );
}

/** The tiers as given, or the one tier the single-tier options describe. */
function configuredTiers(o: L402PaywallOptions): PaywallTier[] {
  const tiers: PaywallTier[] = o.tiers ?? [
    {
      tier: o.tier ?? 0,
      price: o.price as Price,
      maxCalls: o.maxCalls,
      tokenLifetimeSec: o.tokenLifetimeSec,
    },
  ];
  check(tiers.length > 0, 'options.tiers must not be empty');
  return tiers;
}

/** The route's capability (checked) and the capabilities new tokens grant, which must include it. */
function grantedCapabilities(o: L402PaywallOptions): string[] | undefined {
  if (o.capability !== undefined)
    check(
      typeof o.capability === 'string' && /^[^\s,=]+$/.test(o.capability),
      `options.capability ${JSON.stringify(o.capability)} is not a capability name`,
    );
  const granted = o.capabilities ?? (o.capability !== undefined ? [o.capability] : undefined);
  if (granted && o.capability !== undefined)
    check(
      granted.includes(o.capability),
      `options.capabilities [${granted}] must include the route's capability ${o.capability}, or new tokens could never call it`,
    );
  return granted;
}

/** Invoice expiry (within what every Lightning backend takes), hold limits, the secret source and the rate limit. */
function checkLimits(o: L402PaywallOptions): void {
  const expiry = invoiceExpiryProblem(o.invoiceExpirySec, 'options.invoiceExpirySec');
  check(expiry === undefined, expiry!);
  if (o.buyerRelease) check(o.payOnSuccess === true, 'options.buyerRelease needs payOnSuccess: true');
  if (o.holdTimeoutMs !== undefined)
    check(positiveInt(o.holdTimeoutMs), 'options.holdTimeoutMs must be a positive integer');
  if (o.maxPendingHolds !== undefined)
    check(positiveInt(o.maxPendingHolds), 'options.maxPendingHolds must be a positive integer');
  if (o.holdPollMs !== undefined)
    check(positiveInt(o.holdPollMs), 'options.holdPollMs must be a positive integer');
  if (o.maxWaitingRetries !== undefined)
    check(positiveInt(o.maxWaitingRetries), 'options.maxWaitingRetries must be a positive integer');
  if (o.secrets !== undefined)
    check(
      typeof o.secrets?.bytes === 'function',
      'options.secrets must be a SecretSource (osSecrets, or insecureSeededSecrets in simulations)',
    );
  if (o.quoteDelayMs !== undefined)
    check(typeof o.quoteDelayMs === 'function', 'options.quoteDelayMs must be a function returning ms');
  if (o.rateLimit) {
    const problem = rateLimitProblem('options.rateLimit', o.rateLimit);
    check(problem === undefined, problem!);
  }
}
