import type { Context } from 'hono';
import { requestPath, type Minter, type VerifyContext } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import { osSecrets } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { IssueDeps } from './challenge.js';
import type { PaywallEventListener } from './events.js';
import { HoldBook, type PendingHold } from './hold.js';
import type { L402PaywallOptions } from './options.js';
import type { ResolvedTier } from './tier.js';
import { resolveTiers } from './options.js';
import { negotiationState } from './negotiation-options.js';
import type { NegotiationState } from './negotiation-types.js';
import { PricePaidCache } from './price-check.js';
import { MemoryQuotaStore, type QuotaStore } from './quota-store.js';
import { TokenBucketLimiter, type RateLimit } from './rate-limiter.js';
import { forgetCanceledHold, holdRefundRate } from './give-back.js';
import { SettledCache } from './settled.js';

/**
 * One paywall's configuration (checked) and its state. Built once per
 * `l402Paywall(…)`; the request steps (respond, authorized, strict,
 * pay-on-success) each take it as their first argument.
 */
export interface PaywallState {
  readonly service: string;
  readonly node: LightningNode;
  readonly minter: Minter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tiers: ResolvedTier[];
  readonly capability: string | undefined;
  readonly strict: boolean;
  readonly payOnSuccess: boolean;
  /** Buyer-released holds: a 2xx may wait for the buyer's `settle`/`cancel`. */
  readonly buyerRelease: boolean;
  readonly holdTimeoutMs: number;
  readonly holdPollMs: number;
  /** Pay-on-success retries waiting for their HTLC now, and the most at once (`maxWaitingRetries`). */
  readonly holdWaits: { waiting: number; max: number };
  readonly releaseQuotaOnServerError: boolean;
  /** Most calls each quota gets back on a 5xx; undefined: as many as the quota holds. */
  readonly maxCallsGivenBack: number | undefined;
  /** The bound on pay-on-success calls refunded after the handler ran (with pay-on-success only). */
  readonly holdRefunds: { rate: RateLimit; limiter: TokenBucketLimiter } | undefined;
  /**
   * How long a token's call counters are kept after its first call: the
   * longest token lifetime this paywall mints (Infinity when a tier has
   * none). Not the token's own `valid_until`: a holder may add an earlier one
   * to a copy, and counters dropped with that copy would reset the quota of
   * the token it came from.
   */
  readonly counterLifetimeMs: number;
  readonly onEvent: PaywallEventListener | undefined;
  /** What issuing a challenge needs (node, minter, clock, expiry, memo, preimage source). */
  readonly issue: IssueDeps;
  readonly quotaStore: QuotaStore;
  readonly limiter: TokenBucketLimiter | undefined;
  /** Hold invoices issued and not yet settled, canceled or expired. */
  readonly holds: HoldBook;
  /** Payment hashes the node said are settled (strict mode), bounded. */
  readonly settled: SettledCache;
  /** Price negotiation, when the seller offers it. */
  readonly negotiation: NegotiationState | undefined;
  /** Invoice amounts by payment hash, for tokens with a negotiated price, bounded. */
  readonly pricesPaid: PricePaidCache;
  /** Requests inside the handler now (dynamic prices read it). */
  readonly load: { inFlight: number };
  /** The seller's time to quote, drawn per challenge (absent: none). */
  readonly quoteDelayMs: (() => number) | undefined;
}

/**
 * Most pay-on-success retries waiting for their HTLC at once when `maxWaitingRetries` is not given:
 * each asks the node about 20 times in its 30 s and listens to every invoice event, so 1,000 cost
 * at most ~700 lookups a second, while honest retries, sent as their payment goes out, wait a route's time.
 */
export const DEFAULT_MAX_WAITING_RETRIES = 1_000;

/** Checks the options (a LabError 'invalid_paywall_options' names the bad one) and builds the state. */
export function buildState(options: L402PaywallOptions): PaywallState {
  const tiers = resolveTiers(options);
  const {
    node,
    minter,
    service,
    clock,
    invoiceExpirySec = 600,
    strict = false,
    payOnSuccess = false,
    holdTimeoutMs = 30_000,
    holdPollMs = 50,
    releaseQuotaOnServerError = true,
    logger = silentLogger,
  } = options;
  const secrets = options.secrets ?? osSecrets;
  const quotaStore = options.quotaStore ?? new MemoryQuotaStore();
  const onCanceled = (h: PendingHold) => void forgetCanceledHold({ service, quotaStore, logger }, h.tokenId);
  return {
    service,
    node,
    minter,
    clock,
    logger,
    tiers,
    capability: options.capability,
    strict,
    payOnSuccess,
    buyerRelease: options.buyerRelease ?? false,
    holdTimeoutMs,
    holdPollMs,
    holdWaits: { waiting: 0, max: options.maxWaitingRetries ?? DEFAULT_MAX_WAITING_RETRIES },
    releaseQuotaOnServerError,
    maxCallsGivenBack: options.maxCallsGivenBack,
    holdRefunds: holdRefunds(options, clock),
    counterLifetimeMs: counterLifetimeMs(tiers),
    onEvent: options.onEvent,
    issue: {
      node,
      minter,
      clock,
      service,
      invoiceExpirySec,
      secrets,
    },
    quotaStore,
    limiter: options.rateLimit ? new TokenBucketLimiter(options.rateLimit, clock) : undefined,
    holds: new HoldBook({ node, clock, logger, capacity: options.maxPendingHolds ?? 10_000, onCanceled }),
    settled: new SettledCache(),
    negotiation: options.negotiation ? negotiationState(options.negotiation, secrets, clock) : undefined,
    pricesPaid: new PricePaidCache(),
    load: { inFlight: 0 },
    quoteDelayMs: options.quoteDelayMs,
  };
}

/** The refund bound's rate and its bucket, when the paywall offers pay-on-success. */
function holdRefunds(o: L402PaywallOptions, clock: Clock): PaywallState['holdRefunds'] {
  const rate = holdRefundRate(o);
  return rate ? { rate, limiter: new TokenBucketLimiter(rate, clock) } : undefined;
}

/** The longest lifetime of the tokens the tiers mint, in ms; Infinity when a tier mints tokens without one. */
function counterLifetimeMs(tiers: readonly ResolvedTier[]): number {
  let longest = 0;
  for (const t of tiers) {
    if (t.tokenLifetimeSec === undefined) return Number.POSITIVE_INFINITY;
    longest = Math.max(longest, t.tokenLifetimeSec * 1000);
  }
  return longest;
}

/** What the verifier checks a token against for this request. */
export function verifyContext(p: PaywallState, c: Context): VerifyContext {
  return {
    service: p.service,
    nowMs: p.clock.now(),
    capability: p.capability,
    method: c.req.method,
    // Read as the buyer reads it before paying: Hono's c.req.path, whatever getPath this app was built with.
    path: requestPath(c.req.url),
  };
}
