import type { Context, Next } from 'hono';
import type { TokenFacts } from '../../infra/l402/index.js';
import { followCall } from './call-give-back.js';
import { CALLS_REMAINING_HEADER } from './headers.js';
import { retryAfterSec } from './rate-limiter.js';
import type { QuotaResult } from './quota-store.js';
import { emit, refuse, rejectCredential, unavailable } from './respond.js';
import type { PaywallState } from './state.js';

/**
 * A verified token's way to the handler: rate limit, quota (one atomic
 * step), then the handler. Returns the Response when the request was refused
 * before the handler, or `undefined` once the handler ran (its answer is
 * `c.res`). A 5xx from the handler gives the call back to the quota, as
 * often as `maxCallsGivenBack` allows, and so does a `prepaid` call whose
 * request is aborted before its answer goes out (call-give-back.ts; once a
 * call); a call refused before the handler ran (`markNotRun`) always goes
 * back. A quota store that fails is 503
 * `quota_store_unavailable` (the only 503 refused here), the handler not run;
 * one that fails to give a call back is logged, the handler's answer stands.
 */
export async function runAuthorized(
  p: PaywallState,
  c: Context,
  next: Next,
  facts: TokenFacts,
  prepaid: boolean,
): Promise<Response | undefined> {
  if (p.limiter) {
    const d = p.limiter.take(facts.tokenId);
    if (!d.ok) {
      const sec = retryAfterSec(d.retryAfterMs);
      const message = `token ${facts.tokenId.slice(0, 16)}… is over its rate limit; retry in ${sec} s`;
      return refuse(p, c, 429, 'rate_limited', message, { 'Retry-After': String(sec) }, facts);
    }
  }
  // The one atomic step: the quotas are checked and counted together (see QuotaStore). The counters
  // outlive every copy of the token, whatever `valid_until` a holder wrote on the copy used first.
  const counted = await consume(p, facts);
  if ('fault' in counted)
    return unavailable(
      p,
      c,
      'quota_store_unavailable',
      `the seller's call counter store did not answer, so this call of token ${facts.tokenId.slice(0, 16)}… was not run; retry later with the same token`,
      facts,
      counted.fault,
    );
  const q = counted.result;
  if (!q.ok && q.reason === 'too_many_counters')
    return refuse(
      p,
      c,
      403,
      'too_many_counters',
      `token ${facts.tokenId.slice(0, 16)}… already counts calls for ${q.limit} attenuated copies; use one of those, or buy another`,
      {},
      facts,
    );
  if (!q.ok) return rejectCredential(p, c, 'quota_exhausted', exhaustedMessage(q), facts);
  c.set('l402', facts);
  emit(p, c, { type: 'authorized', tokenId: facts.tokenId, paymentHash: facts.paymentHash });
  const remaining = Number.isFinite(q.remaining) ? String(q.remaining) : undefined;
  // Set before the handler answers: c.json/c.body take it into their Response, while a
  // header set on a finished Response makes Hono build that Response again.
  if (remaining !== undefined) c.header(CALLS_REMAINING_HEADER, remaining);
  const call = followCall(p, c, facts, prepaid);
  p.load.inFlight++;
  try {
    await next();
  } finally {
    p.load.inFlight--;
  }
  // A Response the handler built itself (or one that changed the header) gets it now.
  if (remaining !== undefined && c.res.headers.get(CALLS_REMAINING_HEADER) !== remaining)
    c.header(CALLS_REMAINING_HEADER, remaining);
  if ((await call.answered()) && remaining !== undefined)
    c.header(CALLS_REMAINING_HEADER, String(q.remaining + 1));
  return undefined;
}

/** Counts the call (`QuotaStore.consume`), or the store's error (a remote store's timeout) for the log. */
async function consume(
  p: PaywallState,
  facts: TokenFacts,
): Promise<{ result: QuotaResult } | { fault: unknown }> {
  const now = p.clock.now();
  const subject = {
    tokenId: facts.tokenId,
    quotas: facts.quotas,
    validUntilMs: now + p.counterLifetimeMs,
    ...callsSold(p, facts),
  };
  try {
    return { result: await p.quotaStore.consume(subject, now) };
  } catch (fault) {
    return { fault };
  }
}

/** The calls the token's tier mints (its first quota), when it mints a limit: the store keeps counters in proportion. */
function callsSold(p: PaywallState, facts: TokenFacts): { callsSold?: number } {
  const tier = facts.services.find((s) => s.name === p.service)?.tier;
  const maxCalls = p.tiers.find((t) => t.tier === tier)?.maxCalls;
  return maxCalls !== undefined && facts.quotas[0]?.limit === maxCalls ? { callsSold: maxCalls } : {};
}

/** Why a quota refused the call: all its calls used, or fewer left than a copy's first call takes. */
function exhaustedMessage(q: { limit: number; used: number; reserving?: number }): string {
  if (q.reserving === undefined) return `all ${q.limit} calls of this token are used`;
  const left = q.limit - q.used;
  const calls = q.reserving === 1 ? '1 call' : `${q.reserving} calls`;
  const instead = left > 0 ? `use a copy of at most ${left}, or buy another token` : 'buy another token';
  return `this copy's first call takes its ${calls} from the token it was attenuated from, which has ${left} of ${q.limit} left (the others used or handed down to other copies); ${instead}`;
}
