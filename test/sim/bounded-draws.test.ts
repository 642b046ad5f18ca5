/**
 * A channel's capacity and fees are drawn per channel as whole amounts. A `lognormal` or `pareto`
 * one without `max` draws any amount: the money check counted such a capacity at its least (its
 * `min`, its `scale`), so a file it passed could put any amount in a channel, and a fee past
 * 2^53 − 1 stopped market setup. `sim validate` now refuses both at their field.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { ScenarioError } from '../../sim/scenario/errors.js';
import { issueLines, minimalMarket, runInto } from './scenario-fixture.js';

/** A valid market: one seller, one buyer group, one hub. */
const base = () => minimalMarket('draws');

/** Every issue validation reports for the base market with `channels`, as `path: message`. */
const issues = (channels: unknown): string[] => issueLines(base(), { 'network.channels': channels });

const SAFE = '9,007,199,254,740,991';
const MONEY = `the market's money (at most ${SAFE} msat in all) is counted at each channel's largest capacity`;
const SETUP = `a draw past ${SAFE} (2^53 − 1) stops market setup`;

describe('capacity and fee distributions are bounded', () => {
  it('refuses a lognormal seller capacity without max, at max, saying to add it; takes it with max', () => {
    const capacity = { dist: 'lognormal', median: 1e9, sigma: 1, min: 1000 };
    expect(issues({ seller: { capacity } })).toEqual([
      `network.channels.seller.capacity.max: required: a lognormal capacity without max can draw any amount, and ${MONEY}; add max, the largest capacity (msat) one channel may have`,
    ]);
    expect(issues({ seller: { capacity: { ...capacity, max: 1e12 } } })).toEqual([]);
  });

  it('refuses a pareto router capacity without max the same way', () => {
    expect(issues({ router: { capacity: { dist: 'pareto', scale: 1e9, alpha: 1.5 } } })).toEqual([
      `network.channels.router.capacity.max: required: a pareto capacity without max can draw any amount, and ${MONEY}; add max, the largest capacity (msat) one channel may have`,
    ]);
  });

  it('refuses unbounded fee distributions, baseFee in msat and feeRate in ppm', () => {
    const fees = {
      baseFee: { dist: 'pareto', scale: 1, alpha: 1 },
      feeRate: { dist: 'lognormal', median: 100, sigma: 1 },
    };
    expect(issues({ router: fees })).toEqual([
      `network.channels.router.baseFee.max: required: a pareto baseFee without max can draw any amount, and ${SETUP}; add max, the largest baseFee (msat) one channel may have`,
      `network.channels.router.feeRate.max: required: a lognormal feeRate without max can draw any amount, and ${SETUP}; add max, the largest feeRate (ppm) one channel may have`,
    ]);
  });

  it('refuses a capacity or fee that draws past 2^53 − 1, at the value that does', () => {
    const seller = {
      capacity: { dist: 'fixed', value: 1e17 },
      feeRate: { dist: 'empirical', values: [1, 1e20, 5] },
    };
    expect(issues({ seller })).toEqual([
      `network.channels.seller.capacity.value: expected at most ${SAFE} msat (2^53 − 1, the most a market's sums count exactly)`,
      `network.channels.seller.feeRate.values[1]: expected at most ${SAFE} ppm (2^53 − 1: a draw past it stops market setup)`,
    ]);
  });

  it('sim run refuses an unbounded capacity before anything runs (it failed at market setup)', async () => {
    const capacity = { dist: 'lognormal', median: 1e16, sigma: 0 };
    const { err, out } = await runInto({ ...base(), network: { channels: { seller: { capacity } } } });
    expect((err as ScenarioError).issues.map((i) => i.path)).toEqual([
      'network.channels.seller.capacity.max',
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
