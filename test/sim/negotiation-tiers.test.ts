/**
 * A scenario seller's negotiation floor (its cost plus `marginPct`) is per call of every tier: the
 * minimal market's data feed at 2,000 msat a call, costing 1,000 (floor 1,200 a call), selling a
 * single call and a 20-call bundle (posted 32,000), built as the market builds it (seed 1) and bid
 * on over the market's HTTP. And the negotiation's bounds are validated, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { silentLogger } from '../../infra/log.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { RevenueTracker, buildSellers } from '../../sim/market/sellers.js';
import { Recorder } from '../../sim/metrics/recorder.js';
import { json } from '../paywall/helpers.js';
import { issueLines, minimalMarket, validScenario } from './scenario-fixture.js';

/** The negotiating feed, built as the market builds it; `bid(tier, msat, offer?)` over the market's HTTP. */
async function negotiatingFeed() {
  const scenario = validScenario(
    minimalMarket('tier-floor', {
      'sellers[0].costMsat': 1_000,
      'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 20 }],
      'sellers[0].negotiation': { marginPct: 20 },
    }),
  );
  const world = new EmbeddedWorld(scenario.network, createRng(1));
  const info = { scenario: 'tier-floor', description: '', seed: 1, backend: 'embedded' as const };
  const recorder = new Recorder({
    ...info,
    scenarioHash: '',
    durationMs: 1000,
    sellerCosts: {},
    staticWarnings: [],
  });
  const revenue = new RevenueTracker(recorder);
  const [feed] = await buildSellers(scenario.sellers, world, world.rng, revenue, recorder, silentLogger);
  const url = new URL(feed!.seller.path, feed!.baseUrl).toString();
  return async (tier: number, msat: number, offer?: string) => {
    const headers = {
      'L402-Tier': String(tier),
      'L402-Bid': String(msat),
      ...(offer ? { 'L402-Offer': offer } : {}),
    };
    const pending = world.fetch(url, { headers });
    await world.clock.runUntilIdle();
    const res = await pending;
    const body = await json(res);
    return {
      said: `${res.status} ${String(body.reason ?? body.error)} ${String(body.priceMsat)}`,
      offer: res.headers.get('l402-offer') ?? offer,
    };
  };
}

describe('a scenario seller negotiating a bundle', () => {
  it('counters bids of 1,200 msat (its floor a call) on the 20-call bundle at 24,000 in all 4 rounds, while the single call agrees at 1,200 in round 3', async () => {
    const bid = await negotiatingFeed();
    const said = async (tier: number) => {
      const out: string[] = [];
      let offer: string | undefined;
      for (let i = 0; i < 4; i++) {
        const r = await bid(tier, 1_200, offer);
        out.push(r.said);
        offer = r.offer;
      }
      return out;
    };
    expect(await said(1)).toEqual(Array(4).fill('402 counter_offer 24000'));
    expect(await said(0)).toEqual([
      '402 counter_offer 1600',
      '402 counter_offer 1400',
      '402 counter_offer 1300',
      '402 offer_accepted 1200',
    ]);
  }, 60_000);
});

describe('scenario validation of negotiation bounds and maxCallsGivenBack', () => {
  const issues = (o: Record<string, unknown>) => issueLines(minimalMarket('checks'), o);

  it('refuses an offerLifetimeSec over a day and a negotiatorRate window under 1 ms, naming the field', () => {
    expect(
      issues({
        'sellers[0].negotiation': { offerLifetimeSec: 86_401, negotiatorRate: { calls: 1, perSec: 5e-324 } },
      }),
    ).toEqual([
      'sellers[0].negotiation.offerLifetimeSec: expected at most 86,400 s (a day): an offer is a price to take soon, not a standing discount',
      'sellers[0].negotiation.negotiatorRate.perSec: expected at least 0.001 s (1 ms): the clock counts whole milliseconds',
    ]);
  });

  it('refuses a maxCallsGivenBack above the most calls a token of the seller holds, naming the field', () => {
    expect(
      issues({ 'sellers[0].tiers': [{ kind: 'bundle', calls: 2 }], 'sellers[0].maxCallsGivenBack': 3 }),
    ).toEqual([
      'sellers[0].maxCallsGivenBack: expected at most 2, the most calls a token of this seller holds (a quota never gets back more calls than it holds)',
    ]);
  });
});
