import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { MANIFEST_PATH } from '../../services/paywall/index.js';
import { createSeller } from '../../services/sellers/index.js';
import { LabError } from '../../infra/errors.js';
import {
  nextPrice,
  priceBounds,
  pricingConflicts,
  pricingStrategySchema,
  type PricingObservation,
  type PricingStrategy,
} from '../../services/sellers/pricing.js';
import { buy, challengeOf, inMemory, json, makeWorld } from '../paywall/helpers.js';

const undercut = pricingStrategySchema.parse({ strategy: 'undercut', everySec: 10, stepMsat: 250 });
const demand = pricingStrategySchema.parse({ strategy: 'demand', everySec: 10, stepMsat: 100, highSales: 5 });
const bounds = { floorMsat: 1000, ceilingMsat: 4000 };
const seen = (o: Partial<PricingObservation>): PricingObservation => ({
  ownMsat: 3000,
  competitorsMsat: [],
  sales: 0,
  ...o,
});

describe('pricing strategies', () => {
  const cases: [string, PricingStrategy, PricingObservation, { msat: number; move: string }][] = [
    [
      'undercut: one step under the cheapest competitor',
      undercut,
      seen({ competitorsMsat: [3500, 2000] }),
      { msat: 1750, move: 'undercut' },
    ],
    [
      'undercut: a price below the rival rises to one step under it',
      undercut,
      seen({ ownMsat: 1000, competitorsMsat: [3000] }),
      { msat: 2750, move: 'undercut' },
    ],
    [
      'undercut: exactly the floor is still an undercut',
      undercut,
      seen({ competitorsMsat: [1250] }),
      { msat: 1000, move: 'undercut' },
    ],
    [
      'undercut: below the floor it jumps back to the ceiling (relents)',
      undercut,
      seen({ ownMsat: 1250, competitorsMsat: [1000] }),
      { msat: 4000, move: 'relent' },
    ],
    ['undercut: no competitor listed: the ceiling', undercut, seen({}), { msat: 4000, move: 'relent' }],
    [
      'undercut: never above the ceiling',
      undercut,
      seen({ ownMsat: 4000, competitorsMsat: [9000] }),
      { msat: 4000, move: 'hold' },
    ],
    ['demand: a busy interval raises a step', demand, seen({ sales: 5 }), { msat: 3100, move: 'raise' }],
    ['demand: an idle interval lowers a step', demand, seen({ sales: 0 }), { msat: 2900, move: 'lower' }],
    ['demand: in between it holds', demand, seen({ sales: 3 }), { msat: 3000, move: 'hold' }],
    [
      'demand: the floor stops a fall',
      demand,
      seen({ ownMsat: 1050, sales: 0 }),
      { msat: 1000, move: 'lower' },
    ],
    [
      'demand: at the ceiling a raise holds',
      demand,
      seen({ ownMsat: 4000, sales: 9 }),
      { msat: 4000, move: 'hold' },
    ],
  ];
  it.each(cases)('%s', (_name, strategy, observation, expected) => {
    expect(nextPrice(strategy, bounds, observation)).toEqual(expected);
  });

  // A price found outside the bounds (before validation refused such a start: 3,000 msat under a
  // 2,000 ceiling) comes back within them, and the move is named by where the price went.
  const capped = pricingStrategySchema.parse({
    strategy: 'demand',
    everySec: 10,
    stepMsat: 500,
    highSales: 3,
    floorMsat: 1000,
    ceilingMsat: 2000,
  });
  const within = { floorMsat: 1000, ceilingMsat: 2000 };
  it.each([
    [
      'a busy interval above the ceiling falls to it: lower, not raise',
      3000,
      3,
      { msat: 2000, move: 'lower' },
    ],
    [
      'an interval in between above the ceiling falls to it: lower, not hold',
      3000,
      1,
      { msat: 2000, move: 'lower' },
    ],
    ['an idle interval below the floor rises to it: raise, not lower', 500, 0, { msat: 1000, move: 'raise' }],
    [
      'a busy interval far below the floor rises to the floor, not one step',
      100,
      3,
      { msat: 1000, move: 'raise' },
    ],
  ])('demand out of bounds: %s', (_name, ownMsat, sales, expected) => {
    expect(nextPrice(capped, within, seen({ ownMsat, sales }))).toEqual(expected);
  });

  it('refuses a demand strategy whose lowSales reaches highSales, at lowSales', () => {
    const r = pricingStrategySchema.safeParse({
      strategy: 'demand',
      everySec: 10,
      stepMsat: 100,
      highSales: 2,
      lowSales: 5,
    });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'lowSales',
        'expected lowSales below highSales (2), got 5: an interval of 2 to 5 sales would call for both a rise and a fall; lower lowSales or raise highSales',
      ],
    ]);
    expect(pricingStrategySchema.safeParse({ ...demand, lowSales: 4 }).success).toBe(true);
  });

  it('names a starting price outside the bounds, and a floor above the ceiling, by field', () => {
    expect(pricingConflicts(capped, 0, 1500)).toEqual([]);
    expect(pricingConflicts(capped, 0, 3000)).toEqual([
      {
        path: 'price.msat',
        message:
          'expected a starting price at most pricing.ceilingMsat (2000 msat), got 3000: buyers would pay above the ceiling until its first repricing step; lower price.msat or raise pricing.ceilingMsat',
      },
    ]);
    expect(pricingConflicts(capped, 0, 500)).toEqual([
      {
        path: 'price.msat',
        message:
          'expected a starting price at least the floor (1000 msat: pricing.floorMsat), got 500: buyers would pay below the floor until its first repricing step; raise price.msat or lower pricing.floorMsat',
      },
    ]);
    expect(pricingConflicts(undercut, 5000, 4000)).toEqual([
      { path: 'pricing.floorMsat', message: 'expected a floor (5000 msat) at most the ceiling (4000 msat)' },
    ]);
  });

  it('bounds default to the cost (at least 1 msat) and the starting price', () => {
    expect(priceBounds(undercut, 1000, 4000)).toEqual({ floorMsat: 1000, ceilingMsat: 4000 });
    expect(priceBounds(undercut, 0, 4000)).toEqual({ floorMsat: 1, ceilingMsat: 4000 });
    expect(() => priceBounds(undercut, 5000, 4000)).toThrow(
      'pricing floor 5000 msat is above its ceiling 4000 msat',
    );
  });
});

describe('a repricing seller', () => {
  it('quotes, lists and describes the new price after setUnitPrice, and still serves', async () => {
    const w = makeWorld();
    const s = await createSeller(
      { archetype: 'data-feed', price: { kind: 'fixed', msat: 4000 }, latency: { kind: 'fixed', ms: 0 } },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('s'), repricing: true },
    );
    const quote = async () =>
      decodeInvoice(challengeOf(await s.app.request('/v1/anomalies?region=eu')).invoice).amountMsat;
    expect(await quote()).toBe(4000);
    s.setUnitPrice(2750);
    expect(await quote()).toBe(2750);
    expect(s.listing('http://seller.test/').tiers.map((t) => t.priceMsat)).toEqual([2750]);
    const manifest = await json(await s.app.request(MANIFEST_PATH));
    expect((manifest.services as { tiers: { price_msat: number }[] }[])[0]!.tiers[0]!.price_msat).toBe(2750);
    const { res, challenge } = await buy(w, inMemory(s.app), '/v1/anomalies?region=eu');
    expect(decodeInvoice(challenge.invoice).amountMsat).toBe(2750);
    expect(res.status).toBe(200);
  });

  it('refuses a price change when built without repricing, and repricing with a dynamic price', async () => {
    const w = makeWorld();
    const fixed = await createSeller(
      { archetype: 'data-feed', price: { kind: 'fixed', msat: 4000 } },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('s') },
    );
    expect(() => fixed.setUnitPrice(3000)).toThrow('this seller was built without repricing');
    await expect(
      createSeller(
        {
          archetype: 'data-feed',
          price: { kind: 'dynamic', baseMsat: 2000, perLoadMsat: 10, minMsat: 1000, maxMsat: 3000 },
        },
        { node: w.seller, clock: w.clock, rng: w.rng.fork('s'), repricing: true },
      ),
    ).rejects.toThrow(LabError);
  });
});
