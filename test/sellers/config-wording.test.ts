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

describe('a seller config the paywall would refuse at build is refused as a config, naming the field', () => {
  it.each([
    [
      'a rate limit window under 1 ms',
      { archetype: 'data-feed', rateLimit: { calls: 1, perMs: 0.5 } },
      'invalid seller config: rateLimit.perMs: expected at least 1 ms: the clock counts whole milliseconds',
    ],
    [
      'a year-long pass priced a call a minute at 100,000,000,000,000 msat',
      {
        archetype: 'data-feed',
        price: { kind: 'fixed', msat: 100_000_000_000_000 },
        tiers: [{ kind: 'single' }, { kind: 'pass', durationSec: 31_536_000 }],
      },
      'invalid seller config: tiers[1]: its price comes to 52560000000000000000 msat (525600 minutes at ' +
        '100000000000000 msat, a call a minute), above the most a price can be (9007199254740991 msat); ' +
        'lower price.msat, or give this tier its own priceMsat',
    ],
    [
      'a bundle whose dynamic price can rise past the largest safe integer',
      {
        archetype: 'data-feed',
        price: {
          kind: 'dynamic',
          baseMsat: 1_000,
          perLoadMsat: 1,
          minMsat: 1,
          maxMsat: 9_000_000_000_000_000,
        },
        tiers: [{ kind: 'bundle', calls: 1_000 }],
      },
      'invalid seller config: tiers[0]: its price comes to 7200000000000000000 msat (80% of 1000 calls at ' +
        '1000 msat, scaled by up to maxMsat / baseMsat = 9000000000000000 / 1000), above the most a price ' +
        'can be (9007199254740991 msat); lower price.maxMsat, or give this tier its own priceMsat',
    ],
    [
      'an overcharging seller whose own tier price, tripled, passes the largest safe integer',
      {
        archetype: 'data-feed',
        tiers: [{ kind: 'single', priceMsat: 4_000_000_000_000_000 }],
        adversarial: { mode: 'overcharge' },
      },
      'invalid seller config: tiers[0]: its price comes to 12000000000000000 msat (its priceMsat ' +
        '4000000000000000, × the overcharge factor 3), above the most a price can be (9007199254740991 msat); ' +
        'lower its priceMsat',
    ],
  ])('%s', (_what, config, message) => {
    expect(refusal(config)).toBe(message);
  });
});
