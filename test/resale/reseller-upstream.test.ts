import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createReseller } from '../../agents/resale/index.js';
import { caveats, createMinter, formatChallenge, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { drive, makeMarket, type Market } from '../buyer/market.js';
import {
  driveUntil,
  resaleMarket,
  resellerOptions,
  SLICE_MSAT,
  SLICE_URL,
  subAgents,
} from './reseller-market.js';

/** The origin's bundle, 30,000 msat, plus the hub's fee (100 + 1,000 ppm). */
const BUNDLE_COST_MSAT = 30_130;

/** A plain GET of /slice, time standing still: its status, error, Retry-After, and whether it carried an invoice. */
async function askSlice(m: Market) {
  const res = await driveUntil(m.clock, m.fetch(SLICE_URL), m.clock.now());
  const body = (await res.json()) as { error?: string };
  const invoice = res.headers.get('www-authenticate') !== null;
  return { status: res.status, error: body.error, retryAfter: res.headers.get('retry-after'), invoice };
}

describe('an origin that takes the bundle payment and then fails every call', () => {
  it('after the 3 slices of its first bundle are all refused, /slice answers 503 upstream_unavailable with Retry-After 60 before any invoice, and buys nothing for 60 s', async () => {
    const { m, origin, reseller, agents } = resaleMarket({ origin: { failing: true } });
    const check = { url: origin.url };
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check)));
    const backedOff = await askSlice(m);
    await m.clock.advance(60_000);
    const after = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check));

    expect(first.map(({ result: r }) => [r.outcome, r.paidMsat])).toEqual(
      Array(3).fill(['slice_refused', 0]),
    );
    expect(backedOff).toEqual({
      status: 503,
      error: 'upstream_unavailable',
      retryAfter: '60',
      invoice: false,
    });
    expect(after.result).toMatchObject({ outcome: 'slice_refused', paidMsat: 0 });
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesRefused: 4, failures: 1 });
  });

  it('one checking buyer a minute for an hour: 6 bundles bought (not 20), backing off 60, 120, 240, 480, 960 s; the 42 buyers refused meanwhile pay 0 msat', async () => {
    const { m, origin, reseller, agents } = resaleMarket({ origin: { failing: true } });
    const subNode = m.net.node('sub-0');
    const before = await m.balance(subNode);
    const outcomes: Record<string, number> = {};
    for (let minute = 0; minute < 60; minute++) {
      const { result: r } = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));
      const key = `${r.outcome}/${r.status}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      await m.clock.advance(60_000);
    }

    expect(outcomes).toEqual({ 'slice_refused/200': 18, 'seller_error/503': 42 });
    expect(await m.balance(subNode)).toBe(before);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 6,
      costMsat: 6 * BUNDLE_COST_MSAT,
      slicesDelivered: 18,
      slicesSold: 0,
      failures: 42,
    });
  });

  it('a slice paid closes the breaker: an origin that fails once, then works, sells its next slice at once', async () => {
    const { m, origin, reseller, agents } = resaleMarket({ origin: { failing: true } });
    const check = { url: origin.url };
    for (let i = 0; i < 3; i++) await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check));
    origin.spec.failing = false;
    await m.clock.advance(60_000);
    const paid = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check));
    const next = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check));

    expect([paid, next].map(({ result: r }) => [r.outcome, r.paidMsat])).toEqual([
      ['success', SLICE_MSAT],
      ['success', SLICE_MSAT],
    ]);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesSold: 2, failures: 0 });
  });
});

/** An upstream whose 402 carries a hold invoice it never settles: a payment to it stays in flight 800 min. */
function holdingUpstream(m: Market): string {
  const node = m.addNode('holder');
  const keys = insecureSeededSecrets(m.rng.fork('holder'));
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keys.bytes(n) });
  const app = new Hono();
  app.get('/v1/data', async (c) => {
    const paymentHash = createHash('sha256').update(keys.bytes(32)).digest('hex');
    const invoice = await node.createHoldInvoice({ amountMsat: 30_000, paymentHash });
    const { token } = await minter.mint({
      paymentHash,
      caveats: [caveats.services([{ name: 'holder', tier: 0 }]), caveats.maxCalls('holder', 6)],
    });
    const challenge = formatChallenge({ macaroon: token, invoice: invoice.paymentRequest });
    return c.json({ error: 'payment_required' }, 402, { 'WWW-Authenticate': challenge });
  });
  m.mount('holder.test', app);
  return 'http://holder.test/v1/data';
}

describe('an upstream that holds the reseller’s payment and never settles it', () => {
  it('two buyers at once are both answered 503 upstream_unavailable after the 10 s upstream timeout and refunded; the next request is refused before any invoice with Retry-After 60', async () => {
    const m = makeMarket();
    const o = resellerOptions(m, holdingUpstream(m));
    // Its payment stays in flight past the 60 s default pay timeout: the upstream timeout (10 s) decides.
    const client = createL402Client({
      node: o.node,
      fetch: m.fetch,
      clock: m.clock,
      buyer: 'reseller',
      payTimeoutMs: 3_600_000,
    });
    const reseller = createReseller({ ...o, client });
    m.mount('reseller.test', reseller.app);
    const agents = subAgents(m, 2);
    const start = m.clock.now();
    const answeredAfterMs: number[] = [];
    const buys = agents.map((a) =>
      a.buySlice(SLICE_URL).then((b) => {
        answeredAfterMs.push(m.clock.now() - start);
        return b;
      }),
    );
    const bought = await driveUntil(m.clock, Promise.all(buys), start + 60_000);
    const next = await askSlice(m);

    expect(bought.map(({ result: r }) => [r.outcome, r.status, r.paidMsat])).toEqual([
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
    ]);
    expect(answeredAfterMs).toEqual([10_000, 10_000]);
    expect(next).toEqual({ status: 503, error: 'upstream_unavailable', retryAfter: '60', invoice: false });
    expect(reseller.stats()).toMatchObject({ bundlesBought: 0, slicesDelivered: 0, failures: 3 });
  });

  it('once the back-off has passed, a paid retry meets the purchase still in flight and is refunded after 50 ms (the paywall’s hold poll, not the 10 s timeout), with Retry-After 120', async () => {
    const m = makeMarket();
    const reseller = createReseller(resellerOptions(m, holdingUpstream(m)));
    m.mount('reseller.test', reseller.app);
    const [first, second] = subAgents(m, 2);
    await driveUntil(m.clock, first!.buySlice(SLICE_URL), m.clock.now() + 60_000);
    await m.clock.advance(60_000);
    const start = m.clock.now();
    const { result } = await driveUntil(m.clock, second!.buySlice(SLICE_URL), start + 60_000);
    const answeredAfterMs = m.clock.now() - start;
    const next = await askSlice(m);

    expect(result).toMatchObject({ outcome: 'not_delivered', status: 503, paidMsat: 0 });
    expect(answeredAfterMs).toBe(50);
    expect(next).toEqual({ status: 503, error: 'upstream_unavailable', retryAfter: '120', invoice: false });
  });
});

describe('a bundle is sliced only while it outlives a slice', () => {
  it('a 600 s slice asked for when the 700 s bundle has 500 s left comes from a new bundle and is valid 600 s from its purchase', async () => {
    const { m, origin, reseller, agents } = resaleMarket({ subs: 2, origin: { tokenLifetimeSec: 700 } });
    await drive(m.clock, agents[0]!.buySlice(SLICE_URL));
    // On a whole second: a slice's valid_until is written in seconds, from the second it is cut.
    await m.clock.advanceTo(Math.ceil((m.clock.now() + 200_000) / 1000) * 1000);
    const boughtAt = m.clock.now();
    const { result, slice } = await drive(m.clock, agents[1]!.buySlice(SLICE_URL));
    const livesMs = slice!.validUntilMs! - boughtAt;
    await m.clock.advance(550_000);
    const late = await drive(m.clock, agents[1]!.call(origin.url));

    expect(result).toMatchObject({ outcome: 'success', paidMsat: SLICE_MSAT });
    expect(livesMs).toBe(600_000);
    expect(late.outcome).toBe('success');
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesSold: 2 });
  });

  it('an origin whose bundles live 300 s, shorter than a 600 s slice: the buyer is refunded 503 and the reseller does not buy again for 60 s', async () => {
    const { m, reseller, agents } = resaleMarket({ origin: { tokenLifetimeSec: 300 } });
    const { result } = await drive(m.clock, agents[0]!.buySlice(SLICE_URL));
    const next = await askSlice(m);

    expect(result).toMatchObject({ outcome: 'not_delivered', status: 503, paidMsat: 0 });
    expect(next).toEqual({ status: 503, error: 'upstream_unavailable', retryAfter: '60', invoice: false });
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesDelivered: 0, failures: 2 });
  });
});
