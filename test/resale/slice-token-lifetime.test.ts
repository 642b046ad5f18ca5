import { describe, expect, it } from 'vitest';
import { Macaroon } from '../../infra/l402/index.js';
import { drive } from '../buyer/market.js';
import { challengeOf } from '../paywall/helpers.js';
import { resaleMarket, SLICE_URL } from './reseller-market.js';

/** The caveats of the token a 402 from `/slice` offers. */
async function sliceTokenCaveats(m: ReturnType<typeof resaleMarket>['m']): Promise<string[]> {
  const res = await drive(m.clock, m.fetch(SLICE_URL));
  expect(res.status).toBe(402);
  return Macaroon.fromBase64(challengeOf(res).macaroon).caveats;
}

describe('a slice token has a lifetime, so the reseller’s call counter of each slice sold is dropped after it', () => {
  it('expires 670 s after it is offered: the slice invoice’s 600 s, the default 10 s upstream wait and a minute', async () => {
    const { m } = resaleMarket();
    const nowSec = Math.floor(m.clock.now() / 1000);

    expect(await sliceTokenCaveats(m)).toEqual([
      'services=reseller-slices:0',
      'reseller-slices_max_calls=1',
      `reseller-slices_valid_until=${nowSec + 670}`,
    ]);
  });

  it('expires 720 s after it is offered when the reseller waits 60 s for its upstream', async () => {
    const { m } = resaleMarket({ upstreamTimeoutSec: 60 });
    const nowSec = Math.floor(m.clock.now() / 1000);

    expect(await sliceTokenCaveats(m)).toContain(`reseller-slices_valid_until=${nowSec + 720}`);
  });
});
