/**
 * A price control that would change nothing is answered `unchanged`, as docs/demo.md says of every
 * such control: repricing rebuilds the seller with new keys, voiding every token it sold.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LiveMarket } from '../../sim/live/live-market.js';
import type { LiveServer } from '../../sim/live/server.js';
import { startDemo, until } from './harness.js';

const priceChanges = (market: LiveMarket) =>
  market
    .snapshot()
    .faults.filter((f) => f.kind === 'price_change')
    .map((f) => [f.target, f.detail]);

describe('price controls on a live market (quickstart)', () => {
  let market: LiveMarket;
  let server: LiveServer;

  beforeAll(async () => {
    ({ market, server } = await startDemo({ durationSec: 3600 }, { speed: 1 }));
    await until('the market to be built', () => market.snapshot().graph.nodes.length > 0);
  }, 600_000);
  afterAll(async () => {
    await server?.close();
  });

  test("the price a seller's scenario fixes it at is refused as unchanged, recording nothing", async () => {
    expect(await market.apply({ type: 'price', seller: 'mid-feed-0', msat: 3_000 })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'mid-feed-0 already charges 3000 msat',
    });
    expect(priceChanges(market)).toEqual([]);
  });

  test('setting a price twice: the first is applied, the second refused as unchanged', async () => {
    expect(await market.apply({ type: 'price', seller: 'mid-feed-0', msat: 1_234 })).toEqual({
      ok: true,
      applied: 'price',
    });
    expect(await market.apply({ type: 'price', seller: 'mid-feed-0', msat: 1_234 })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'mid-feed-0 already charges 1234 msat',
    });
    expect(priceChanges(market)).toEqual([['mid-feed-0', 'price now 1234 msat (presenter)']]);
  });

  test('two controls setting one price at once: one is applied, the other refused while it is set', async () => {
    const both = await Promise.all([
      market.apply({ type: 'price', seller: 'cheap-feed-0', msat: 1_500 }),
      market.apply({ type: 'price', seller: 'cheap-feed-0', msat: 1_500 }),
    ]);
    expect(both).toEqual([
      { ok: true, applied: 'price' },
      { ok: false, code: 'unchanged', message: "cheap-feed-0's price is already being set to 1500 msat" },
    ]);
    expect(priceChanges(market)).toEqual([
      ['cheap-feed-0', 'price now 1500 msat (presenter)'],
      ['mid-feed-0', 'price now 1234 msat (presenter)'],
    ]);
  });
});
