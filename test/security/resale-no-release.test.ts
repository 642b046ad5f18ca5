import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ResellerOptions } from '../../agents/resale/index.js';
import { noBuyerReleaseReason } from '../../agents/resale/slice-release.js';
import { osSecrets, type SecretSource } from '../../infra/random.js';
import { drive } from '../buyer/market.js';
import {
  HOLD_REQUEST,
  appWith,
  holdPaywall,
  holdRetryHeaders,
  challengeOf,
  makeWorld,
} from '../paywall/helpers.js';
import {
  resaleMarket,
  SLICE_FEE_MSAT,
  SLICE_MSAT,
  SLICE_URL,
  type ResaleMarketChoices,
} from '../resale/reseller-market.js';

/** The sub-agents' transport drops their `L402-Release` requests and, with `answers`, the header on every answer. */
const withoutRelease =
  ({ answers }: { answers: boolean }) =>
  (f: typeof fetch): typeof fetch =>
  async (input, init) => {
    const req = new Request(input, init);
    req.headers.delete('l402-release');
    const res = await f(req);
    if (!answers) return res;
    const headers = new Headers(res.headers);
    headers.delete('l402-release');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };

/**
/** The reseller set to oversell (`ResellerOptions.oversell`), which `ResaleMarketChoices` does not pick. */
const OVERSELL: Pick<ResellerOptions, 'oversell'> = { oversell: true };

/**
 * origin (a 6-call bundle for 30,000) → reseller (2-call slices at 12,000, set to oversell 4 per
 * bundle: the 4th oversold) → 4 sub-agents; the first three buy with the check and use up their slices.
 */
async function oversold(choices: ResaleMarketChoices) {
  const market = resaleMarket({ slicesPerBundle: 4, ...OVERSELL, subs: 4, ...choices });
  const { m, origin, agents } = market;
  const check = { url: origin.url, minLifeSec: 60 };
  const first: unknown[] = [];
  for (const sub of agents.slice(0, 3)) {
    const bought = await drive(m.clock, sub.buySlice(SLICE_URL, {}, check));
    first.push([bought.result.outcome, bought.result.paidMsat, bought.check?.outcome]);
    await drive(m.clock, sub.call(origin.url));
  }
  const lastNode = m.net.node('sub-3');
  const before = await m.balance(lastNode);
  const bought = await drive(m.clock, agents[3]!.buySlice(SLICE_URL, {}, check));
  return { ...market, first, bought, drop: before - (await m.balance(lastNode)), check };
}

describe('a checked slice is never reported bought unchecked', () => {
  it('a reseller whose 402 offers no buyer release is not paid: slice_refused, no_buyer_release, 0 msat, one request', async () => {
    const { m, origin, reseller, agents } = resaleMarket({
      subs: 2,
      subFetch: withoutRelease({ answers: true }),
    });
    const before = await m.balance(m.net.node('sub-0'));
    const bought = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));
    expect(bought.result).toMatchObject({
      outcome: 'slice_refused',
      refusal: 'no_buyer_release',
      reason: noBuyerReleaseReason(SLICE_URL),
      status: 409,
      paidMsat: 0,
      feeMsat: 0,
      requests: 1,
    });
    expect(bought.slice).toBeUndefined();
    expect(await m.balance(m.net.node('sub-0'))).toBe(before);
    expect(reseller.stats()).toMatchObject({ slicesDelivered: 0, slicesSold: 0, bundlesBought: 0 });
    // Without a check the buyer takes the slice as sold: paid, adopted, used.
    const unchecked = await drive(m.clock, agents[1]!.buySlice(SLICE_URL));
    expect(unchecked.result).toMatchObject({
      outcome: 'success',
      paidMsat: SLICE_MSAT,
      feeMsat: SLICE_FEE_MSAT,
    });
    expect((await drive(m.clock, agents[1]!.call(origin.url))).outcome).toBe('success');
  });

  it('a reseller set to oversell that settles without waiting for the verdict: the oversold 4th slice is checked after payment and ends slice_refused with 12,000 paid', async () => {
    const { first, bought, drop } = await oversold({ subFetch: withoutRelease({ answers: false }) });
    expect(first).toEqual(Array(3).fill(['success', SLICE_MSAT, 'success']));
    expect(bought.result).toMatchObject({
      outcome: 'slice_refused',
      paidMsat: SLICE_MSAT,
      feeMsat: SLICE_FEE_MSAT,
    });
    expect(bought.result.reason).toMatch(
      /^paid 12000 msat for a slice that failed its check: the reseller settled the payment without waiting for the buyer's check \(its answer had no L402-Release: pending\); do not buy from this reseller again\. the slice failed its first call at http:\/\/origin\.test\/v1\/data \(token_refused: /,
    );
    expect(bought.check).toMatchObject({ outcome: 'token_refused', refusal: 'quota_exhausted', paidMsat: 0 });
    expect(bought.slice).toBeUndefined();
    expect(drop).toBe(SLICE_MSAT + SLICE_FEE_MSAT);
  });

  it('a reseller set to oversell whose node settles the hold the buyer canceled: slice_refused with 12,000 paid, and the reason says the canceled hold was settled', async () => {
    const preimages = new Map<string, string>();
    const recording: SecretSource = {
      bytes(n) {
        const b = osSecrets.bytes(n);
        if (n === 32)
          preimages.set(createHash('sha256').update(b).digest('hex'), Buffer.from(b).toString('hex'));
        return b;
      },
      fork: () => recording,
      insecure: false,
    };
    const choices = {
      secrets: recording,
      resellerNode: (node: Parameters<NonNullable<ResaleMarketChoices['resellerNode']>>[0]) =>
        new Proxy(node, {
          get(target, key) {
            if (key === 'cancelInvoice')
              return async (hash: string) => target.settleInvoice(preimages.get(hash)!);
            const v: unknown = Reflect.get(target, key, target);
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }),
    };
    const { m, first, bought, drop } = await oversold(choices);
    expect(first).toEqual(Array(3).fill(['success', SLICE_MSAT, 'success']));
    expect(bought.result).toMatchObject({
      outcome: 'slice_refused',
      paidMsat: SLICE_MSAT,
      feeMsat: SLICE_FEE_MSAT,
    });
    expect(bought.result.reason).toMatch(
      /^paid 12000 msat for a slice that failed its check: the reseller settled the hold the buyer canceled \(a payee can always settle its own hold invoice\); do not buy from this reseller again\. the slice failed its first call at /,
    );
    expect(bought.slice).toBeUndefined();
    expect(drop).toBe(SLICE_MSAT + SLICE_FEE_MSAT);
    expect(await m.net.node('reseller').lookupInvoice(bought.result.paymentHash!)).toMatchObject({
      state: 'settled',
    });
  });
});

describe('a pay-on-success 402 says whether the paywall offers buyer release', () => {
  it('with buyerRelease its 402, first and re-issued after no HTLC came, carries L402-Release: buyer; without, none', async () => {
    const w = makeWorld();
    const offering = appWith(holdPaywall(w, { buyerRelease: true, holdTimeoutMs: 1_000 }));
    const first = await offering.request('/v1/data', { headers: HOLD_REQUEST });
    expect([
      first.status,
      first.headers.get('L402-Pay-On-Success'),
      first.headers.get('L402-Release'),
    ]).toEqual([402, '1', 'buyer']);
    // The retry without a payment waits for the HTLC, then gets the same invoice again.
    const retry = Promise.resolve(
      offering.request('/v1/data', { headers: holdRetryHeaders(challengeOf(first).macaroon) }),
    );
    await w.clock.runUntilIdle(w.clock.now() + 2_000);
    const again = await retry;
    expect([again.status, again.headers.get('L402-Release')]).toEqual([402, 'buyer']);
    // Another seller (its own node and preimages), without buyerRelease.
    const plain = appWith(holdPaywall(makeWorld()));
    const none = await plain.request('/v1/data', { headers: HOLD_REQUEST });
    expect([none.status, none.headers.get('L402-Pay-On-Success'), none.headers.get('L402-Release')]).toEqual([
      402,
      '1',
      null,
    ]);
  });
});
