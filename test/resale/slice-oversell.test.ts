/**
 * A reseller asked for more slices per bundle than the bundle's calls cover never sells a slice
 * the origin would refuse: refused at construction when the bundle's calls are known
 * (`upstream.calls`), else (or when the bundle bought holds fewer) each bundle is sliced by the
 * calls it holds and the next slice is cut from a new bundle. Unless it is set to oversell
 * (`oversell: true`, a dishonest reseller for testing buyers' defences): then it builds and sells
 * its `slicesPerBundle` slices of each bundle, the last refused at the origin.
 */
import { describe, expect, it } from 'vitest';
import { createReseller, type ResellerOptions } from '../../agents/resale/index.js';
import { isLabError } from '../../infra/errors.js';
import { drive, makeMarket } from '../buyer/market.js';
import {
  resaleMarket,
  resellerOptions,
  SLICE_FEE_MSAT,
  SLICE_MSAT,
  SLICE_URL,
  type ResaleMarketChoices,
} from './reseller-market.js';

/**
 * origin (6-call bundles for 30,000) → reseller (2-call slices at 12,000) → 4 sub-agents, each
 * buying a slice without a check (paid on delivery), then calling the origin twice with it.
 */
async function buyAndUse(choices: ResaleMarketChoices) {
  const market = resaleMarket({ subs: 4, subBudgetMsat: 15_000, ...choices });
  const { m, origin, agents, subNodes } = market;
  const before = await Promise.all(subNodes.map((n) => m.balance(n)));
  const calls: string[][] = [];
  for (const sub of agents) {
    await drive(m.clock, sub.buySlice(SLICE_URL));
    const two = [];
    for (let k = 0; k < 2; k++) two.push((await drive(m.clock, sub.call(origin.url))).outcome);
    calls.push(two);
  }
  const after = await Promise.all(subNodes.map((n) => m.balance(n)));
  return { ...market, calls, paid: before.map((b, i) => b - after[i]!) };
}

const PAID = SLICE_MSAT + SLICE_FEE_MSAT;
const SERVED = ['success', 'success'];

describe('a reseller never sells more slices than the bundle it holds serves', () => {
  it('slicesPerBundle 4 of 2-call slices, bundle size unknown, the origin sells 6 calls: 3 slices per bundle, the 4th cut from a 2nd bundle; 4 paid 12,112 msat, 4 served 2 calls', async () => {
    const { calls, paid, origin, reseller } = await buyAndUse({ slicesPerBundle: 4 });

    expect(calls).toEqual([SERVED, SERVED, SERVED, SERVED]);
    expect(paid).toEqual([PAID, PAID, PAID, PAID]);
    expect(origin.served).toBe(8);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesSold: 4, failures: 0 });
  });

  it('upstream.calls 8 advertised but the bundle bought holds 6 (another tier): slicesPerBundle 4 passes construction, the bundle is sliced by its 6 calls and the 4th slice comes from a 2nd bundle', async () => {
    const { calls, paid, origin, reseller } = await buyAndUse({
      slicesPerBundle: 4,
      upstream: { url: 'http://origin.test/v1/data', calls: 8 },
    });

    expect(calls).toEqual([SERVED, SERVED, SERVED, SERVED]);
    expect(paid).toEqual([PAID, PAID, PAID, PAID]);
    expect(origin.served).toBe(8);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesSold: 4 });
  });
});

/** The error createReseller throws for the market's options with `patch` applied, or undefined when it builds. */
function buildError(patch: Partial<ResellerOptions>): unknown {
  const o = resellerOptions(makeMarket(), 'http://origin.test/v1/data');
  try {
    createReseller({ ...o, ...patch });
    return undefined;
  } catch (err) {
    return err;
  }
}

const upstream = (calls: number) => ({ upstream: { url: 'http://origin.test/v1/data', calls } });

describe('createReseller refuses slices that do not fit in the advertised bundle (upstream.calls)', () => {
  it('slicesPerBundle 4 × 2-call slices over a 6-call bundle: invalid_reseller_options naming 4, 2, 8 and 6 and to lower slicesPerBundle to 3', () => {
    const err = buildError({ slicesPerBundle: 4, ...upstream(6) });
    expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
    expect((err as Error).message).toBe(
      'reseller reseller: slicesPerBundle 4 × slice.calls 2 is 8 calls, more than the 6 calls of the upstream bundle (upstream.calls): the last slices would be sold and refused at the origin; lower slicesPerBundle to at most 3, or leave it out (oversell: true makes a reseller that oversells on purpose)',
    );
  });

  it('a 2-call slice over a 1-call bundle: invalid_reseller_options, lower slice.calls to at most 1', () => {
    const err = buildError(upstream(1));
    expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
    expect((err as Error).message).toBe(
      'reseller reseller: slice.calls 2 is more than the 1 calls of the upstream bundle (upstream.calls): no slice fits in it; lower slice.calls to at most 1, or buy a bigger tier',
    );
  });

  it('upstream.calls 0: invalid_reseller_options, a positive whole number', () => {
    expect((buildError(upstream(0)) as Error).message).toBe(
      'reseller reseller: upstream.calls must be a positive whole number, got 0; pass an integer of at least 1',
    );
  });

  it.each([
    [3, 6],
    [undefined, 6],
    [4, undefined],
  ])('slicesPerBundle %s over upstream.calls %s builds', (slicesPerBundle, calls) => {
    const patch = {
      ...(slicesPerBundle !== undefined && { slicesPerBundle }),
      ...(calls !== undefined && upstream(calls)),
    };
    expect(buildError(patch)).toBeUndefined();
  });
});

/** The reseller set to oversell (`ResellerOptions.oversell`), which `ResaleMarketChoices` does not pick. */
const OVERSELL: Pick<ResellerOptions, 'oversell'> = { oversell: true };

describe('a reseller set to oversell sells slicesPerBundle slices per bundle, whatever the bundle holds', () => {
  it.each([
    [4, 2, 6],
    [1, 2, 1],
  ])(
    'slicesPerBundle %i of %i-call slices over upstream.calls %i, set to oversell, builds',
    (slicesPerBundle, calls, bundleCalls) => {
      const slice = { calls, validForSec: 600, priceMsat: SLICE_MSAT };
      expect(buildError({ slicesPerBundle, slice, ...upstream(bundleCalls), ...OVERSELL })).toBeUndefined();
    },
  );

  it('oversell without slicesPerBundle: invalid_reseller_options, set slicesPerBundle or leave oversell out', () => {
    const err = buildError({ ...OVERSELL, ...upstream(6) });
    expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
    expect((err as Error).message).toBe(
      'reseller reseller: oversell is set without slicesPerBundle, so there is no count of slices to oversell; set slicesPerBundle to the slices to sell per bundle, or leave oversell out',
    );
  });

  it('slicesPerBundle 4 of 2-call slices over a 6-call bundle (upstream.calls 6), set to oversell: one bundle, 4 slices sold, the 4th sub-agent pays 12,112 msat and its held token is refused at the origin', async () => {
    const { calls, paid, origin, reseller } = await buyAndUse({
      slicesPerBundle: 4,
      ...OVERSELL,
      upstream: { url: 'http://origin.test/v1/data', calls: 6 },
    });

    expect(calls).toEqual([SERVED, SERVED, SERVED, ['token_refused', 'policy_denied']]);
    expect(paid).toEqual([PAID, PAID, PAID, PAID]);
    expect(origin.served).toBe(6);
    expect(origin.events.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual([
      'quota_exhausted',
    ]);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 4, revenueMsat: 4 * SLICE_MSAT });
  });
});
