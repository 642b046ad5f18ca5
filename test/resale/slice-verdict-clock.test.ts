/**
 * The slice checker's verdict (settle or cancel, sent to the reseller) is
 * given up after `CHECK_TIMEOUT_MS` (30 s) of the checker's clock: market time
 * in the simulator. Before, it was a wall-clock timer, so a reseller that never
 * answered a verdict in the embedded world held the check for 30 s of wall
 * time (a seeded run waited on the machine), and one answering after more than
 * 30 s of market time was never given up on.
 */
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { SliceChecker } from '../../agents/resale/index.js';
import { RELEASE_HEADER } from '../../services/paywall/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_URL } from './reseller-market.js';

describe('slice verdicts on market time', () => {
  it('a verdict the reseller never answers is given up after exactly 30 s of market time, and is not taken', async () => {
    const { m, origin } = resaleMarket({ subs: 0 });
    const node = m.addNode('buyer-of-slices', { toHub: true });
    const verdicts: { verdict: string; gaveUpAfterMs: number }[] = [];
    // The reseller's transport as the checker sees it: every verdict hangs until the checker aborts it.
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const req = new Request(input, init);
      const verdict = req.headers.get(RELEASE_HEADER) ?? '';
      if (verdict !== 'settle' && verdict !== 'cancel') return m.fetch(input, init);
      const sentAt = m.clock.now();
      return new Promise<Response>((_, reject) => {
        req.signal.addEventListener('abort', () => {
          verdicts.push({ verdict, gaveUpAfterMs: m.clock.now() - sentAt });
          reject(req.signal.reason);
        });
      });
    }) as typeof globalThis.fetch;
    const checker = new SliceChecker({ name: 'checker', node, fetch, clock: m.clock });
    const client = createL402Client({
      node,
      fetch: checker.fetch,
      clock: m.clock,
      requestTimeoutMs: 120_000,
    });
    const expected = checker.expect({ url: origin.url });

    const init = { headers: expected.headers };
    const r = await drive(m.clock, client.purchase(SLICE_URL, init, { payOnSuccess: true }));

    expect(verdicts).toEqual([{ verdict: 'settle', gaveUpAfterMs: 30_000 }]);
    expect(expected.end(r.paymentHash)).toMatchObject({ ok: true, released: false });
  });
});
