import type { SecretSource } from '../../infra/random.js';
import type { NegotiationOptions, NegotiationState } from './negotiation-types.js';
import { LabError } from '../../infra/errors.js';

/** Most rounds a seller may allow per negotiation. */
export const MAX_ROUNDS_LIMIT = 16;

/** Checks the `negotiation` option (a LabError 'invalid_paywall_options' names the problem) and fills in its defaults. */
export function negotiationState(o: NegotiationOptions, secrets: SecretSource): NegotiationState {
  const fail = (m: string): never => {
    throw new LabError('invalid_paywall_options', `options.negotiation.${m}`);
  };
  if (!o?.negotiator || typeof o.negotiator.reply !== 'function')
    fail('negotiator must have a reply(turn) method');
  const maxRounds = o.maxRounds ?? 4;
  if (!Number.isSafeInteger(maxRounds) || maxRounds < 1 || maxRounds > MAX_ROUNDS_LIMIT)
    fail(`maxRounds must be an integer from 1 to ${MAX_ROUNDS_LIMIT}, got ${String(o.maxRounds)}`);
  const lifetime = o.offerLifetimeSec ?? 60;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1)
    fail(`offerLifetimeSec must be a positive integer, got ${String(o.offerLifetimeSec)}`);
  const replyTimeoutMs = o.replyTimeoutMs ?? 10_000;
  if (!Number.isSafeInteger(replyTimeoutMs) || replyTimeoutMs < 1)
    fail(`replyTimeoutMs must be a positive integer, got ${String(o.replyTimeoutMs)}`);
  if (o.offerKey !== undefined && (!(o.offerKey instanceof Uint8Array) || o.offerKey.length < 32))
    fail('offerKey must be at least 32 bytes');
  const offerKey = o.offerKey ?? secrets.fork('offer-key').bytes(32);
  return { negotiator: o.negotiator, maxRounds, offerLifetimeMs: lifetime * 1000, replyTimeoutMs, offerKey };
}
