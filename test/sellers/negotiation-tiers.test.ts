/**
 * A seller config's negotiation floor is per call, and holds per call of every tier: a data feed at
 * 2,000 msat a call with `negotiation: { costMsat: 1000 }` (floor 1,200 msat a call) selling a single
 * call, a 20-call bundle (posted 32,000) and a 1-day pass (posted 2,880,000, 1,440 minutes at a call
 * a minute) answers bids over a real socket: a bundle never sells below 20 × 1,200 = 24,000 msat, a
 * pass never below 1,440 × 1,200 = 1,728,000 msat, and a single call as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseChallenges } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { createSeller } from '../../services/sellers/index.js';
import { makeWorld } from '../paywall/helpers.js';

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SINGLE = 0;
const BUNDLE = 1;
const PASS = 2;

/** The seller served on 127.0.0.1; `bid(tier, msat, offer?)` sends one bid over HTTP and says what came back. */
async function seller() {
  const w = makeWorld();
  const s = await createSeller(
    {
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 2_000 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 20 }, { kind: 'pass', durationSec: 86_400 }],
      latency: { kind: 'fixed', ms: 0 },
      negotiation: { costMsat: 1_000 },
    },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
  );
  server = await listen(s.app.fetch);
  const url = `${server.url}/v1/anomalies`;
  return async (tier: number, msat: number, offer?: string) => {
    const res = await fetch(url, {
      headers: {
        'L402-Tier': String(tier),
        'L402-Bid': String(msat),
        ...(offer ? { 'L402-Offer': offer } : {}),
      },
    });
    const body = (await res.json()) as { reason?: string; error?: string; priceMsat?: number };
    const challenge = res.headers.get('www-authenticate');
    const invoiceMsat = challenge && decodeInvoice(parseChallenges(challenge)[0]!.invoice).amountMsat;
    return {
      said: `${res.status} ${body.reason ?? body.error} ${body.priceMsat ?? ''}`.trim(),
      invoiceMsat,
      offer: res.headers.get('l402-offer') ?? offer,
    };
  };
}

/** Bids `msat` on `tier` `times` times, each with the offer the last answer carried: what each answer said. */
async function haggle(bid: Awaited<ReturnType<typeof seller>>, tier: number, msat: number, times: number) {
  const said: string[] = [];
  let offer: string | undefined;
  for (let i = 0; i < times; i++) {
    const r = await bid(tier, msat, offer);
    said.push(r.said);
    offer = r.offer;
  }
  return said;
}

describe('a seller config negotiation floor per call, over HTTP', () => {
  it('bids of 1,200 msat agree on the single call at 1,200 in round 3, while the 20-call bundle is countered at 24,000 (20 × 1,200) in each of 4 rounds, then refused no_deal', async () => {
    const bid = await seller();
    expect(await haggle(bid, SINGLE, 1_200, 4)).toEqual([
      '402 counter_offer 1600',
      '402 counter_offer 1400',
      '402 counter_offer 1300',
      '402 offer_accepted 1200',
    ]);
    expect(await haggle(bid, BUNDLE, 1_200, 5)).toEqual([
      '402 counter_offer 24000',
      '402 counter_offer 24000',
      '402 counter_offer 24000',
      '402 counter_offer 24000',
      '403 no_deal',
    ]);
  });

  it('bids of 1,200 msat on the 1-day pass are countered at 1,728,000 (1,440 × 1,200) in each of 4 rounds, then refused no_deal', async () => {
    const bid = await seller();
    expect(await haggle(bid, PASS, 1_200, 5)).toEqual([
      '402 counter_offer 1728000',
      '402 counter_offer 1728000',
      '402 counter_offer 1728000',
      '402 counter_offer 1728000',
      '403 no_deal',
    ]);
  });

  it('the bundle agrees at no less than 24,000: from the round-2 offer of 25,000, a last-round bid of 23,999 is countered at 24,500, one of 24,000 agreed with an invoice of 24,000', async () => {
    const bid = await seller();
    const r0 = await bid(BUNDLE, 24_000);
    const r1 = await bid(BUNDLE, 24_000, r0.offer);
    const r2 = await bid(BUNDLE, 24_000, r1.offer);
    expect([r0.said, r1.said, r2.said]).toEqual([
      '402 counter_offer 28000',
      '402 counter_offer 26000',
      '402 counter_offer 25000',
    ]);
    const under = await bid(BUNDLE, 23_999, r2.offer);
    expect([under.said, under.invoiceMsat]).toEqual(['402 counter_offer 24500', null]);
    const at = await bid(BUNDLE, 24_000, r2.offer);
    expect([at.said, at.invoiceMsat]).toEqual(['402 offer_accepted 24000', 24_000]);
  });
});
