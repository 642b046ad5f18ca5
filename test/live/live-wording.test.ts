/** Wording of the live view's server side: the end-of-run conservation line and an empty price. */
import { describe, expect, test } from 'vitest';
import { parseControl } from '../../sim/live/controls.js';
import { conservationView } from '../../sim/live/live-market.js';
import type { Conservation } from '../../sim/metrics/conservation.js';

const conservation = (c: Partial<Conservation>) =>
  ({
    holds: true,
    debitsMsat: 1_234_567,
    sellersMsat: 1_200_000,
    resellersMsat: -10_840,
    routingFeesMsat: 45_407,
    differenceMsat: 0,
    ...c,
  }) as Conservation;

describe('conservationView', () => {
  test('signs each figure once and groups its digits: resellers who lost money read −10,840, not +-10840', () => {
    expect(conservationView(conservation({}))).toEqual({
      ok: true,
      detail: 'payers −1,234,567, sellers +1,200,000, resellers −10,840, routers +45,407 msat: difference 0',
    });
  });

  test('a broken check shows its signed difference; nothing paid reads 0', () => {
    expect(
      conservationView(
        conservation({ holds: false, debitsMsat: 0, resellersMsat: 0, differenceMsat: -1_500 }),
      ),
    ).toEqual({
      ok: false,
      detail: 'payers 0, sellers +1,200,000, resellers 0, routers +45,407 msat: difference −1,500',
    });
  });
});

describe('a price control', () => {
  test.each([
    ['0 (the page’s empty price field)', 'msat: a price is needed, at least 1', 0],
    ['below 1', 'msat: expected at least 1', -5],
  ])('of %s is refused with: %s', (_what, message, msat) => {
    expect(parseControl(JSON.stringify({ type: 'price', seller: 'mid-feed-0', msat }))).toEqual({
      ok: false,
      code: 'bad_message',
      message,
    });
  });
});
