/**
 * Tokens handed down from an LSAT-era origin (lsat-js, boltwall: it offers and accepts `LSAT` only)
 * keep their scheme: a delegated copy, a buyer graph's delegation and a reseller's slice are sent as
 * `Authorization: LSAT …` by their holder, as the token they came from was. Real macaroons, invoices
 * and payments on the simnet; the origin of the first test listens on a real socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore } from '../../agents/l402/index.js';
import { adoptToken, createReseller, delegate, type DelegatedToken } from '../../agents/resale/index.js';
import { parseSlice } from '../../agents/resale/delegate.js';
import { caveats } from '../../infra/l402/index.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { lsatSellerApp } from '../buyer/lsat-seller.js';
import { drive, makeMarket } from '../buyer/market.js';
import { childWith, parentGraph } from './parent-graph.js';
import { resellerOptions, SLICE_URL, subAgents } from './reseller-market.js';

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A 6-call bundle of service `data` for 30,000 msat at an LSAT-only origin (lsat.test), sliced by a reseller for 1 sub-agent. */
function lsatResale() {
  const m = makeMarket();
  const granted = [caveats.services([{ name: 'data', tier: 0 }]), caveats.maxCalls('data', 6)];
  const origin = lsatSellerApp(m, {
    offers: ['LSAT'],
    accepts: ['LSAT'],
    priceMsat: 30_000,
    caveats: granted,
  });
  m.mount('lsat.test', origin.app);
  const url = 'http://lsat.test/v1/data';
  const hints = { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 };
  const reseller = createReseller(resellerOptions(m, url, { upstream: { url, hints } }));
  m.mount('reseller.test', reseller.app);
  const [sub] = subAgents(m, 1);
  return { m, url, seen: origin.seen, sub: sub! };
}

describe('a token from an LSAT-only origin, handed down, is sent as LSAT', () => {
  it('a delegated copy (delegate, then adoptToken) keeps scheme LSAT: its holder is served with 0 msat paid (the origin saw -, LSAT, LSAT)', async () => {
    const m = makeMarket();
    const origin = lsatSellerApp(m, { offers: ['LSAT'], accepts: ['LSAT'] });
    server = await listen(origin.app.fetch);
    const url = `${server.url}/v1/data`;
    const parent = createL402Client({ node: m.buyer, fetch: globalThis.fetch, clock: m.clock });
    expect((await parent.purchase(url, {}, { service: 'data' })).outcome).toBe('success');
    const t = parent.tokens.list()[0]!;

    const d = delegate({ ...t, preimage: t.preimage! }, { calls: 1, id: 'sub1' }, { clock: m.clock });
    const tokens = new MemoryTokenStore();
    const held = await adoptToken(tokens, d, m.clock);
    const sub = createL402Client({ node: m.addNode('sub'), fetch: globalThis.fetch, clock: m.clock, tokens });
    const r = await sub.purchase(url, {}, { reuseOnly: true });

    expect([d.scheme, held.scheme]).toEqual(['LSAT', 'LSAT']);
    expect([r.outcome, r.paidMsat, r.tokenReused]).toEqual(['success', 0, true]);
    expect(origin.seen).toEqual(['-', 'LSAT', 'LSAT']);
    expect(tokens.list().map((x) => [x.scheme, x.callsUsed, x.maxCalls])).toEqual([['LSAT', 1, 1]]);
  });

  it("a buyer graph's delegation carries scheme LSAT: the child makes its 3 calls with it (the origin saw -, LSAT for the parent's, then LSAT x3)", async () => {
    const { m, origin, run, seen } = await parentGraph({ lsatOnly: true });
    const r = await drive(m.clock, run(1, 3, 200_000));
    expect(r.delegations).toMatchObject([{ to: 'child', scheme: 'LSAT', calls: 3 }]);

    const child = await childWith(m, r.delegations[0]!);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) outcomes.push((await drive(m.clock, child.call(origin.url))).outcome);

    expect(outcomes).toEqual(['success', 'success', 'success']);
    expect(seen).toEqual(['-', 'LSAT', 'LSAT', 'LSAT', 'LSAT']);
  });

  it("a reseller's slice of an LSAT bundle carries scheme LSAT: the sub-agent's 2 calls are served with it (the origin saw -, LSAT, LSAT)", async () => {
    const { m, url, seen, sub } = lsatResale();
    const bought = await drive(m.clock, sub.buySlice(SLICE_URL));
    expect([bought.result.outcome, bought.slice?.scheme]).toEqual(['success', 'LSAT']);
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) outcomes.push((await drive(m.clock, sub.call(url))).outcome);

    expect(outcomes).toEqual(['success', 'success']);
    // The reseller's unauthenticated probe, then the sub-agent's calls (buying the bundle sends none).
    expect(seen).toEqual(['-', 'LSAT', 'LSAT']);
    const held = sub.client.tokens.list().filter((t) => t.origin === 'http://lsat.test');
    expect(held.map((t) => [t.scheme, t.callsUsed, t.maxCalls])).toEqual([['LSAT', 2, 2]]);
  });

  it("a checked slice of an LSAT bundle passes its check: the check's first call at the origin is sent as LSAT and served (the origin saw -, LSAT)", async () => {
    const { m, url, seen, sub } = lsatResale();
    const bought = await drive(m.clock, sub.buySlice(SLICE_URL, {}, { url }));
    expect([bought.result.outcome, bought.check?.outcome]).toEqual(['success', 'success']);
    expect(seen).toEqual(['-', 'LSAT']);
  });
});

describe("a slice body's scheme", () => {
  const body = {
    origin: 'http://lsat.test',
    service: 'data',
    macaroon: 'AgEEbHNhdA',
    preimage: 'ab'.repeat(32),
  };

  it('is read as LSAT or L402 exactly, absent when the body names none', () => {
    expect(parseSlice({ ...body, scheme: 'LSAT' })?.scheme).toBe('LSAT');
    expect(parseSlice({ ...body, scheme: 'L402' })?.scheme).toBe('L402');
    expect(parseSlice(body)).toEqual(body);
  });

  it('makes no slice when it is anything else (Bearer, lsat, 7, null)', () => {
    for (const scheme of ['Bearer', 'lsat', 7, null]) expect(parseSlice({ ...body, scheme })).toBeUndefined();
  });

  it('is refused by adoptToken when not L402 or LSAT (unknown_scheme), nothing stored', async () => {
    const { m, sub } = lsatResale();
    const parent = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const r = await drive(m.clock, parent.acquire('http://lsat.test/v1/data'));
    const t = r.token!;
    const d = delegate({ ...t, preimage: t.preimage! }, { calls: 1 }, { clock: m.clock });
    const tokens = new MemoryTokenStore();
    const bad = { ...d, scheme: 'Bearer' } as unknown as DelegatedToken;
    await expect(adoptToken(tokens, bad, m.clock)).rejects.toMatchObject({
      code: 'unknown_scheme',
      message: `the token's scheme "Bearer" is not L402 or LSAT: it is not held`,
    });
    expect(tokens.list()).toEqual([]);
    expect(sub.client.tokens.list()).toEqual([]);
  });
});
