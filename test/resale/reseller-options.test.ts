import { describe, expect, it } from 'vitest';
import { createReseller, type ResellerOptions } from '../../agents/resale/index.js';
import { isLabError } from '../../infra/errors.js';
import { makeMarket } from '../buyer/market.js';
import { resellerOptions } from './reseller-market.js';

/** The error createReseller throws for options with `change` applied, or undefined when it builds. */
function buildError(change: (o: ResellerOptions) => ResellerOptions): unknown {
  const o = resellerOptions(makeMarket(), 'http://origin.test/v1/data');
  try {
    createReseller(change(o));
    return undefined;
  } catch (err) {
    return err;
  }
}

const slice = (patch: Partial<ResellerOptions['slice']>) => (o: ResellerOptions) => ({
  ...o,
  slice: { ...o.slice, ...patch },
});
const backoff = { firstSec: 60, maxSec: 3_600, deadAfterRefusals: 3 };

describe('createReseller refuses slice options that would sell dead slices', () => {
  it.each([
    ['slice.calls', 0, slice({ calls: 0 })],
    ['slice.calls', 1.5, slice({ calls: 1.5 })],
    ['slice.calls', NaN, slice({ calls: NaN })],
    ['slice.validForSec', -5, slice({ validForSec: -5 })],
    ['slice.validForSec', 0.5, slice({ validForSec: 0.5 })],
    ['slicesPerBundle', 0, (o: ResellerOptions) => ({ ...o, slicesPerBundle: 0 })],
    ['slicesPerBundle', NaN, (o: ResellerOptions) => ({ ...o, slicesPerBundle: NaN })],
    [
      'creditLimit.windowSec',
      0,
      (o: ResellerOptions) => ({ ...o, creditLimit: { slices: 20, windowSec: 0 } }),
    ],
    ['upstreamTimeoutSec', 0, (o: ResellerOptions) => ({ ...o, upstreamTimeoutSec: 0 })],
    [
      'upstreamBackoff.deadAfterRefusals',
      0,
      (o: ResellerOptions) => ({ ...o, upstreamBackoff: { ...backoff, deadAfterRefusals: 0 } }),
    ],
  ])('%s = %s: LabError invalid_reseller_options naming the field', (field, value, change) => {
    const err = buildError(change);
    expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
    expect((err as Error).message).toBe(
      `reseller reseller: ${field} must be a positive whole number, got ${value}; pass an integer of at least 1`,
    );
  });

  it('upstreamBackoff.maxSec below firstSec: LabError invalid_reseller_options naming both', () => {
    const err = buildError((o) => ({ ...o, upstreamBackoff: { ...backoff, maxSec: 30 } }));
    expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
    expect((err as Error).message).toBe(
      'reseller reseller: upstreamBackoff.maxSec (30) is below firstSec (60); raise maxSec',
    );
  });

  it.each([1, 60])(
    'slice.validForSec %s, not above the 60 s a buyer checks for by default: LabError invalid_reseller_options naming the field and what to set',
    (validForSec) => {
      const err = buildError(slice({ validForSec }));
      expect(isLabError(err, 'invalid_reseller_options')).toBe(true);
      expect((err as Error).message).toBe(
        `reseller reseller: slice.validForSec ${validForSec} is not above the 60 s of life a buyer's slice check asks by default (DEFAULT_MIN_SLICE_LIFE_SEC): a slice is cut with at most that much life and loses some to its expiry's whole-second rounding and its delivery, so buyers would refuse it unpaid; set slice.validForSec above 60, with room for the buyer's calls (600: 10 minutes)`,
      );
    },
  );

  it('slice.validForSec 61 builds a reseller', () => {
    expect(buildError(slice({ validForSec: 61 }))).toBe(undefined);
  });

  it('whole positive calls, validForSec and slicesPerBundle build a reseller', () => {
    expect(
      buildError((o) => ({ ...o, slicesPerBundle: 3, upstreamTimeoutSec: 5, upstreamBackoff: backoff })),
    ).toBe(undefined);
  });
});
