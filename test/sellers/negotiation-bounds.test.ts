/**
 * Seller config values that once validated but broke the seller: an offer lifetime so long that the
 * seller's own offers failed its check, or no longer than a negotiator reply may take, a rate window
 * so short that its token bucket's rate was no number, and a `maxCallsGivenBack` above every quota.
 * Each is refused naming the field, and a quota never gets back more calls than it holds. A rate in
 * seconds is whole ms to the paywall, so its 429 names a rate without float noise.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { ruleSeller } from '../../services/sellers/rule-negotiator.js';
import { createSeller, parseSellerConfig, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, json, makeWorld, payInvoice } from '../paywall/helpers.js';

const FEED = { archetype: 'data-feed', price: { kind: 'fixed', msat: 2_000 } } as const;

describe('seller config bounds, refused naming the field', () => {
  it.each([
    [
      'an offerLifetimeSec over a day',
      { negotiation: { floorMsat: 1_500, offerLifetimeSec: 9_007_199_254_740 } },
      'negotiation.offerLifetimeSec: expected at most 86,400 s (a day): an offer is a price to take soon, not a standing discount',
    ],
    [
      'an offerLifetimeSec of 10 s, no longer than a negotiator reply may take',
      { negotiation: { floorMsat: 1_500, offerLifetimeSec: 10 } },
      'negotiation.offerLifetimeSec: expected more than 10 s: an offer must outlive the 10 s a negotiator may take to reply',
    ],
    [
      'a negotiatorRate window under 1 ms',
      { negotiation: { floorMsat: 1_500, negotiatorRate: { calls: 1, perSec: 5e-324 } } },
      'negotiation.negotiatorRate.perSec: expected at least 0.001 s (1 ms): the clock counts whole milliseconds',
    ],
    [
      'a holdRefundRate window under 1 ms',
      { payOnSuccess: true, holdRefundRate: { calls: 1, perSec: 0.0005 } },
      'holdRefundRate.perSec: expected at least 0.001 s (1 ms): the clock counts whole milliseconds',
    ],
    [
      'a maxCallsGivenBack above the largest bundle',
      { tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 2 }], maxCallsGivenBack: 3 },
      'maxCallsGivenBack: expected at most 2, the most calls a token of this seller holds (a quota never gets back more calls than it holds)',
    ],
    [
      'a maxCallsGivenBack on a seller of passes only',
      { tiers: [{ kind: 'pass', durationSec: 600 }], maxCallsGivenBack: 1 },
      'maxCallsGivenBack: this seller sells only passes, whose tokens have no call quota to give calls back to; drop maxCallsGivenBack',
    ],
  ] as [string, Partial<SellerConfigInput>, string][])('%s', (_what, extra, message) => {
    expect(() => parseSellerConfig({ ...FEED, ...extra })).toThrow(
      new LabError('invalid_seller_config', `invalid seller config: ${message}`),
    );
  });

  it('the paywall refuses a negotiation offerLifetimeSec over a day (86,401), naming the option', () => {
    const w = makeWorld();
    const negotiation = { negotiator: ruleSeller({ floorMsat: 1 }), offerLifetimeSec: 86_401 };
    expect(() => l402Paywall({ ...w, node: w.seller, service: 'feed', price: 2_000, negotiation })).toThrow(
      new LabError(
        'invalid_paywall_options',
        'options.negotiation.offerLifetimeSec must be an integer from 1 to 86400 (a day), got 86401',
      ),
    );
  });
});

describe('a configured negotiatorRate in seconds', () => {
  it('1 call per 1.001 s is 1 call per 1001 ms: the 2nd bid is answered 429 "at most 1 bid per 1001 ms"', async () => {
    const w = makeWorld();
    const negotiation = { floorMsat: 1_500, negotiatorRate: { calls: 1, perSec: 1.001 } };
    const seller = await createSeller(
      { ...FEED, negotiation },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
    const bid = { headers: { 'L402-Bid': '1000' } };
    expect(await json(await seller.app.request('/v1/anomalies', bid))).toMatchObject({
      reason: 'counter_offer',
    });
    expect(await json(await seller.app.request('/v1/anomalies', bid))).toEqual({
      error: 'bid_rate_limited',
      message:
        "this seller's negotiator answers at most 1 bid per 1001 ms; bid again in 2 s, or take the standing offer of 2000 msat now by bidding it",
    });
  });
});

describe('a quota gets back at most the calls it holds', () => {
  it('with maxCallsGivenBack 3 (its 3-call bundle), a single-call token of a seller failing every call runs twice (1 call back), then 402 quota_exhausted', async () => {
    const w = makeWorld();
    const seller = await createSeller(
      {
        ...FEED,
        tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 3 }],
        latency: { kind: 'fixed', ms: 0 },
        failureRate: 1,
        maxCallsGivenBack: 3,
      },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
    const { macaroon, invoice } = challengeOf(await seller.app.request('/v1/anomalies'));
    const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const pending = Promise.resolve(seller.app.request('/v1/anomalies', { headers: { authorization } }));
      await w.clock.runUntilIdle();
      const res = await pending;
      answers.push(`${res.status} ${res.status === 402 ? String((await json(res)).reason) : ''}`.trim());
      if (res.status === 402) break;
    }
    expect(answers).toEqual(['500', '500', '402 quota_exhausted']);
  });
});
