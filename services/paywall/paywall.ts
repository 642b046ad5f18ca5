import type { Context, MiddlewareHandler, Next } from 'hono';
import type { TokenFacts } from '../../infra/l402/index.js';
import { silentLogger } from '../../infra/log.js';
import { osSecrets } from '../../infra/random.js';
import type { IssuedChallenge } from './challenge.js';
import { challengeResponse, issueChallenge, priceOf } from './challenge.js';
import type { PaywallEvent } from './events.js';
import {
  CALLS_REMAINING_HEADER,
  PAY_ON_SUCCESS_HEADER,
  TIER_HEADER,
  headerFlag,
  parseHoldAuthorization,
} from './headers.js';
import type { PendingHold } from './hold.js';
import { HoldBook } from './hold.js';
import { holdRetry, reasonOf, type HoldFlow } from './pay-on-success.js';
import type { L402PaywallOptions, L402Variables, ResolvedTier } from './options.js';
import { resolveTiers } from './options.js';
import { MemoryQuotaStore } from './quota-store.js';
import { TokenBucketLimiter } from './rate-limiter.js';

type Env = { Variables: L402Variables };

/**
 * An L402 paywall for one Hono route (Aperture as a library). Without a
 * valid credential it answers 402 with a fresh invoice and macaroon; with one
 * it enforces every caveat, the call quota (atomically), the rate limit and,
 * in strict mode, that the invoice is settled, then runs the handler with the
 * token's facts in `c.get('l402')`. Options are checked here, at build time.
 *
 * @example
 * app.get('/v1/quote', l402Paywall({ node, minter, clock, service: 'quotes', price: 5_000, maxCalls: 10 }),
 *   (c) => c.json({ quote: 42, calls: c.get('l402').quotas }));
 */
export function l402Paywall(options: L402PaywallOptions): MiddlewareHandler<Env> {
  const tiers = resolveTiers(options);
  const {
    node,
    minter,
    service,
    clock,
    capability,
    invoiceExpirySec = 600,
    strict = false,
    payOnSuccess = false,
    holdTimeoutMs = 30_000,
    holdPollMs = 50,
    releaseQuotaOnServerError = true,
    quotaStore = new MemoryQuotaStore(),
    logger = silentLogger,
    onEvent,
  } = options;
  const limiter = options.rateLimit ? new TokenBucketLimiter(options.rateLimit, clock) : undefined;
  const holds = new HoldBook();
  // Settled is final, so a positive strict check never needs repeating; bounded so it cannot grow forever.
  const settled = new Set<string>();
  const issueDeps = {
    node,
    minter,
    clock,
    service,
    invoiceExpirySec,
    memo: options.memo,
    secrets: options.secrets ?? osSecrets,
  };
  let inFlight = 0;

  function emit(c: Context, e: Omit<PaywallEvent, 'atMs' | 'service' | 'path' | 'method'>): void {
    if (!onEvent) return;
    try {
      onEvent({ atMs: clock.now(), service, path: c.req.path, method: c.req.method, ...e });
    } catch (err) {
      logger.warn({ err }, 'paywall onEvent listener threw');
    }
  }

  function refuse(
    c: Context,
    status: 400 | 409 | 429 | 503,
    reason: string,
    message: string,
    extra: Record<string, string> = {},
    facts?: TokenFacts,
  ): Response {
    emit(c, { type: 'rejected', reason, status, tokenId: facts?.tokenId, paymentHash: facts?.paymentHash });
    return c.json({ error: reason, message }, status, extra);
  }

  function pickTier(c: Context): ResolvedTier | { error: Response } {
    const raw = c.req.header(TIER_HEADER);
    if (raw === undefined) return tiers[0]!;
    if (!/^\s*\d{1,3}\s*$/.test(raw))
      return {
        error: refuse(
          c,
          400,
          'bad_header',
          `${TIER_HEADER} must be a tier number, got ${JSON.stringify(raw.slice(0, 40))}`,
        ),
      };
    const t = tiers.find((x) => x.tier === Number(raw));
    if (!t)
      return {
        error: refuse(
          c,
          400,
          'unknown_tier',
          `tier ${Number(raw)} is not sold here; tiers: ${tiers.map((x) => x.tier).join(', ')}`,
        ),
      };
    return t;
  }

  /** Issues a fresh challenge (402), or answers 400/503 when it cannot. */
  async function challenge(c: Context, reason: string, message: string): Promise<Response> {
    const tier = pickTier(c);
    if ('error' in tier) return tier.error;
    const hold = payOnSuccess && headerFlag(c.req.header(PAY_ON_SUCCESS_HEADER));
    const price = await priceOf(tier, c, { inFlight });
    if (!price.ok) {
      logger.error({ service, reason: price.reason }, price.message);
      return refuse(c, 503, price.reason, price.message, { 'Retry-After': '1' });
    }
    const ch = await issueChallenge(issueDeps, tier, price.priceMsat, hold);
    if (!ch.ok) {
      logger.error({ service, reason: ch.reason }, ch.message);
      return refuse(c, 503, ch.reason, ch.message, { 'Retry-After': '1' });
    }
    if (hold) holds.add({ ...pick(ch), preimage: ch.preimage!, tier: tier.tier, busy: false }, clock.now());
    emit(c, {
      type: 'challenge',
      reason,
      status: 402,
      tier: tier.tier,
      priceMsat: ch.priceMsat,
      paymentHash: ch.paymentHash,
      tokenId: ch.tokenId,
    });
    return challengeResponse(c, ch, { service, reason, message, payOnSuccess: hold, tiers });
  }

  async function rejectCredential(
    c: Context,
    reason: string,
    message: string,
    facts?: TokenFacts,
  ): Promise<Response> {
    emit(c, {
      type: 'rejected',
      reason,
      status: 402,
      tokenId: facts?.tokenId,
      paymentHash: facts?.paymentHash,
    });
    return challenge(c, reason, message);
  }

  /**
   * Rate limit, quota, then the handler. Returns a Response when the request
   * was refused before the handler, or `undefined` once the handler ran.
   */
  async function runAuthorized(
    c: Context<Env>,
    next: Next,
    facts: TokenFacts,
  ): Promise<Response | undefined> {
    if (limiter) {
      const d = limiter.take(facts.tokenId);
      if (!d.ok) {
        const sec = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
        return refuse(
          c,
          429,
          'rate_limited',
          `token ${facts.tokenId.slice(0, 16)}… is over its rate limit; retry in ${sec} s`,
          { 'Retry-After': String(sec) },
          facts,
        );
      }
    }
    // The one atomic step: every quota is checked and counted together (see QuotaStore).
    const q = await quotaStore.consume(facts.quotas);
    if (!q.ok)
      return rejectCredential(c, 'quota_exhausted', `all ${q.limit} calls of this token are used`, facts);
    c.set('l402', facts);
    emit(c, { type: 'authorized', tokenId: facts.tokenId, paymentHash: facts.paymentHash });
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
    if (Number.isFinite(q.remaining)) c.header(CALLS_REMAINING_HEADER, String(q.remaining));
    if (releaseQuotaOnServerError && (c.error !== undefined || c.res.status >= 500))
      await quotaStore.release(facts.quotas);
    return undefined;
  }

  async function isSettled(paymentHash: string): Promise<boolean> {
    if (settled.has(paymentHash)) return true;
    const inv = await node.lookupInvoice(paymentHash).catch(() => undefined);
    if (inv?.state !== 'settled') return false;
    if (settled.size >= 100_000) settled.clear();
    settled.add(paymentHash);
    return true;
  }

  function verifyContext(c: Context) {
    return { service, nowMs: clock.now(), capability, method: c.req.method, path: c.req.path };
  }

  const holdFlow: HoldFlow = {
    holds,
    node,
    minter,
    clock,
    logger,
    service,
    tiers,
    timeoutMs: holdTimeoutMs,
    pollMs: holdPollMs,
    verifyContext,
    rejectCredential,
    refuse,
    emit,
    runAuthorized,
  };

  return async function l402Paywall(c, next) {
    const auth = c.req.header('authorization');
    const holdMac = parseHoldAuthorization(auth);
    if (holdMac !== undefined)
      return payOnSuccess
        ? holdRetry(holdFlow, c, next, holdMac)
        : rejectCredential(
            c,
            'malformed_header',
            'empty preimage, but this route does not offer pay-on-success',
          );
    // Another scheme (Basic, Bearer…) is not an L402 credential: treat as absent.
    if (auth === undefined || !/^\s*(l402|lsat)[ \t]/i.test(auth))
      return challenge(c, 'missing', `${service} needs an L402 token`);
    const v = await minter.verify(auth, verifyContext(c));
    if (!v.ok) return rejectCredential(c, reasonOf(v.error), v.error.message);
    if (strict && !(await isSettled(v.token.paymentHash)))
      return rejectCredential(
        c,
        'unpaid',
        `invoice ${v.token.paymentHash} is not settled on this node`,
        v.token,
      );
    return runAuthorized(c, next, v.token);
  };
}

function pick(ch: IssuedChallenge): Omit<PendingHold, 'preimage' | 'tier' | 'busy'> {
  return {
    paymentHash: ch.paymentHash,
    token: ch.token,
    invoice: ch.invoice,
    tokenId: ch.tokenId,
    priceMsat: ch.priceMsat,
    expiresAtMs: ch.expiresAtMs,
  };
}
