import { describe, expect, it } from 'vitest';
import { createPurchaseEngine, prepareRequest } from '../../agents/l402/index.js';
import { ruleBuyer } from '../../agents/negotiation/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, makeWorld } from '../paywall/helpers.js';

/**
 * A seller whose 402 (10,000 msat) comes from the real paywall and whose answer to a bid is `status` with a
 * body that never ends; `cancelled` counts the times that body was cancelled.
 */
function endlessAnswerSeller(status: number) {
  const w = makeWorld();
  const paywall = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000 }));
  const seen = { cancelled: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    if (!req.headers.get('l402-bid')) return paywall.fetch(req);
    const endless = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(1024)),
      cancel: () => {
        seen.cancelled++;
      },
    });
    return new Response(endless, { status });
  };
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  return { w, engine, seen };
}

describe('a bid answered with neither a 402 nor a 403', () => {
  it.each([[200], [404], [500]])(
    'HTTP %i: seller_error naming the status, and its endless body cancelled once, unread',
    async (status) => {
      const s = endlessAnswerSeller(status);
      const req = await prepareRequest('http://seller.test/v1/data');
      const probe = await s.engine.probe(req);
      if (!probe.ok || !('answer' in probe)) throw new Error('expected a 402');
      const made = await s.engine.offer(req, probe.answer, {}, s.w.clock.now());
      if (!made.ok) throw new Error(made.reason);
      const r = await s.engine.negotiate(made.offer, ruleBuyer(), {});
      expect(r).toEqual({
        ok: false,
        outcome: 'seller_error',
        reason: `unexpected answer to a bid: HTTP ${status}`,
        status: 402,
        negotiation: { result: 'no_agreement', postedMsat: 10_000, rounds: 1 },
      });
      expect(s.seen.cancelled).toBe(1);
    },
  );
});
