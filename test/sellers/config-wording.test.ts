/**
 * parseSellerConfig (scenario files, the seller CLI) words a bad configuration
 * in the plain words scenario files get: each bad field as it is written
 * (`tiers[0].calls`) and what it expects.
 */
import { describe, expect, it } from 'vitest';
import { isLabError } from '../../infra/errors.js';
import { parseSellerConfig } from '../../services/sellers/config.js';

function refusal(config: unknown): string {
  try {
    parseSellerConfig(config);
  } catch (err) {
    if (isLabError(err, 'invalid_seller_config')) return err.message;
    throw err;
  }
  throw new Error('parseSellerConfig took the config');
}

describe('a bad seller config is refused in plain words, naming each field', () => {
  it.each([
    [
      'a misspelt archetype',
      { archetype: 'data-fed' },
      'invalid seller config: archetype: expected data-feed | compute | llm-summary, got "data-fed" (did you mean "data-feed"?)',
    ],
    [
      'a quality above 1 and a one-call bundle',
      { archetype: 'compute', quality: 2, tiers: [{ kind: 'bundle', calls: 1 }] },
      'invalid seller config: quality: expected at most 1; tiers[0].calls: expected at least 2',
    ],
    [
      'a price in words and a misspelt option',
      { archetype: 'compute', price: { kind: 'fixed', msat: 'lots' }, latncy: 1 },
      'invalid seller config: price.msat: expected a number, got "lots"; unknown key "latncy" (did you mean "latency"?); allowed: adversarial, archetype, capacity, category, description, failureRate, holdRefundRate, latency, maxCallsGivenBack, name, negotiation, payOnSuccess, price, quality, quoteLatency, rateLimit, strict, tiers, tokenLifetimeSec',
    ],
  ])('%s', (_what, config, message) => {
    expect(refusal(config)).toBe(message);
  });
});
