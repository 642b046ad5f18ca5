/**
 * A slice check belongs to the one purchase that expects it: the purchase's requests carry it, so
 * another purchase of the same slice URL never meets it, and what it finds after its purchase
 * ended is dropped rather than kept for good.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createReseller, SliceChecker } from '../../agents/resale/index.js';
import type { SecretSource } from '../../infra/random.js';
import { drive, makeMarket } from '../buyer/market.js';
import { CANCEL_ALL, resaleMarket, resellerOptions, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

/** A secret source that remembers the 32-byte secrets it gave (a reseller's hold preimages). */
function remembering(inner: SecretSource, drawn: string[]): SecretSource {
  return {
    insecure: inner.insecure,
    bytes: (n) => {
      const b = inner.bytes(n);
      if (n === 32) drawn.push(Buffer.from(b).toString('hex'));
      return b;
    },
    fork: (label) => remembering(inner.fork(label), drawn),
  };
}

describe('a slice check is its own purchase’s', () => {
  it("a plain purchase of the slice URL through the sub-agent's client, run while a checked buySlice waits behind it, is not checked: paid 12,000 and delivered; the buySlice is refused at its own 404 check, 0 paid", async () => {
    const { m, agents } = resaleMarket({ subBudgetMsat: 1_000_000 });
    const sub = agents[0]!;
    const plain = sub.client.purchase(SLICE_URL, {}, { payOnSuccess: true });
    const checked = sub.buySlice(SLICE_URL, {}, CANCEL_ALL);
    const [p, c] = await drive(m.clock, Promise.all([plain, checked]));
    await p.response?.body?.cancel();

    expect([p.outcome, p.paidMsat]).toEqual(['success', SLICE_MSAT]);
    expect([c.result.outcome, c.result.paidMsat, c.check?.outcome]).toEqual([
      'slice_refused',
      0,
      'policy_denied',
    ]);
  });

  it('a check that ends after its purchase (the reseller settled the hold itself, the check call hung 30 s) is dropped: the checker keeps nothing', async () => {
    const m = makeMarket();
    const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6 });
    const o = resellerOptions(m, origin.url);
    const preimages: string[] = [];
    const reseller = createReseller({ ...o, secrets: remembering(o.secrets!, preimages) });
    m.mount('reseller.test', reseller.app);
    const node = m.addNode('buyer-of-slices', { toHub: true });
    const startedAt = m.clock.now();
    const checkCallsEnded: number[] = [];
    // Under the checker: at the check's call, the reseller settles the hold it keeps for the
    // verdict (a payee can), and the origin never answers the call.
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const req = new Request(input, init);
      if (!req.url.startsWith('http://origin.test/') || !req.headers.has('authorization'))
        return m.fetch(input, init);
      for (const p of preimages) await o.node.settleInvoice(p).catch(() => undefined);
      return new Promise<Response>((_, reject) =>
        req.signal.addEventListener('abort', () => {
          checkCallsEnded.push(m.clock.now() - startedAt);
          reject(req.signal.reason as Error);
        }),
      );
    }) as typeof globalThis.fetch;
    const checker = new SliceChecker({ name: 'buyer', node, fetch, clock: m.clock });
    const client = createL402Client({ node, fetch: checker.fetch, clock: m.clock, requestTimeoutMs: 500 });
    const expected = checker.expect({ url: origin.url });

    // Ended as the purchase ends (as buySlice does), while the check still waits on its call.
    const { r, found } = await drive(
      m.clock,
      client
        .purchase(SLICE_URL, { headers: expected.headers }, { payOnSuccess: true })
        .then((r) => ({ r, found: expected.end(r.paymentHash) })),
    );
    await drive(m.clock, m.clock.sleep(60_000));
    // The check's call was given up after the checker's 30 s, long after its purchase ended.
    expect(checkCallsEnded).toEqual([30_000]);

    const settled = preimages.map((p) => createHash('sha256').update(Buffer.from(p, 'hex')).digest('hex'));
    expect(settled).toContain(r.paymentHash);
    expect([r.outcome, r.paidMsat, found]).toEqual(['not_delivered', SLICE_MSAT, undefined]);
    expect(checker.size).toBe(0);
  });
});
