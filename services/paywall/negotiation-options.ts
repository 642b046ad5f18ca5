import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { NegotiationOptions, NegotiationState } from './negotiation-types.js';
import { TokenBucketLimiter, rateLimitProblem, type RateLimit } from './rate-limiter.js';
import { LabError } from '../../infra/errors.js';

/** Most rounds a seller may allow per negotiation. */
export const MAX_ROUNDS_LIMIT = 16;

/** The longest an offer token may hold: a day (its expiry must stay a safe integer of ms). */
export const MAX_OFFER_LIFETIME_SEC = 86_400;

/** How long a negotiator (a model) may take per reply when `replyTimeoutMs` is not given. */
export const DEFAULT_REPLY_TIMEOUT_MS = 10_000;

/**
 * How often a paywall asks a negotiator that is not `costFree` (a model: each reply a paid call)
 * when `negotiatorRate` is not given: 60 calls a minute across all bidders, bursts of 60. It bounds
 * what bids can make a seller spend, 3,600 model calls an hour whatever bidders do, and still
 * answers 15 four-round negotiations a minute.
 */
export const DEFAULT_NEGOTIATOR_RATE: Readonly<RateLimit> = Object.freeze({ calls: 60, perMs: 60_000 });

/** Checks the `negotiation` option (a LabError 'invalid_paywall_options' names the problem) and fills in its defaults. */
export function negotiationState(
  o: NegotiationOptions,
  secrets: SecretSource,
  clock: Clock,
): NegotiationState {
  const fail = (m: string): never => {
    throw new LabError('invalid_paywall_options', `options.negotiation.${m}`);
  };
  if (!o?.negotiator || typeof o.negotiator.reply !== 'function')
    fail('negotiator must have a reply(turn) method');
  const maxRounds = o.maxRounds ?? 4;
  if (!Number.isSafeInteger(maxRounds) || maxRounds < 1 || maxRounds > MAX_ROUNDS_LIMIT)
    fail(`maxRounds must be an integer from 1 to ${MAX_ROUNDS_LIMIT}, got ${String(o.maxRounds)}`);
  const lifetime = o.offerLifetimeSec ?? 60;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1 || lifetime > MAX_OFFER_LIFETIME_SEC)
    fail(
      `offerLifetimeSec must be an integer from 1 to ${MAX_OFFER_LIFETIME_SEC} (a day), got ${String(o.offerLifetimeSec)}`,
    );
  const replyTimeoutMs = o.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  if (!Number.isSafeInteger(replyTimeoutMs) || replyTimeoutMs < 1)
    fail(`replyTimeoutMs must be a positive integer, got ${String(o.replyTimeoutMs)}`);
  // An offer that lasts no longer than a reply may take is gone before a buyer can take it.
  if (lifetime * 1000 <= replyTimeoutMs)
    fail(
      `offerLifetimeSec (${lifetime} s) must be longer than replyTimeoutMs (${replyTimeoutMs} ms), the time a negotiator may take to reply: raise offerLifetimeSec or lower replyTimeoutMs`,
    );
  if (o.offerKey !== undefined && (!(o.offerKey instanceof Uint8Array) || o.offerKey.length < 32))
    fail('offerKey must be at least 32 bytes');
  const offerKey = o.offerKey ?? secrets.fork('offer-key').bytes(32);
  const rate = negotiatorRate(o, fail);
  return {
    negotiator: o.negotiator,
    maxRounds,
    offerLifetimeMs: lifetime * 1000,
    replyTimeoutMs,
    offerKey,
    rate,
    limiter: rate ? new TokenBucketLimiter(rate, clock) : undefined,
  };
}

/** The bound on negotiator calls: the one given (checked), else the default unless the negotiator is cost-free. */
function negotiatorRate(o: NegotiationOptions, fail: (m: string) => never): RateLimit | undefined {
  const r = o.negotiatorRate;
  if (r === undefined) return o.negotiator.costFree === true ? undefined : { ...DEFAULT_NEGOTIATOR_RATE };
  const problem = rateLimitProblem('negotiatorRate', r);
  if (problem) fail(problem);
  return { calls: r.calls, perMs: r.perMs };
}
