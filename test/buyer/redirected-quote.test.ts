import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { drive, makeMarket } from './market.js';

/**
 * A seller that moved its paid route: its listing still names /v1/data, which
 * now answers 301 to /v2/data, where its real paywall sells the call.
 */
function movedSeller(m: ReturnType<typeof makeMarket>) {
  const moved = m.addSeller({ name: 'moved', priceMsat: 4_000, path: '/v2/data' });
  moved.fields = { ...moved.fields, url: 'http://moved.test/v1/data' };
  const front = new Hono();
  front.all('/v1/data', (c) => c.redirect('http://moved.test/v2/data', 301));
  front.all('*', (c) => moved.app.fetch(c.req.raw));
  m.mount(moved.host, front);
  return moved;
}

/**
 * HTTP requests each purchase sent (its `requests`): the quote (after the manifest read, a 404 here,
 * when quoting from manifests), then the paid call.
 */
const REQUESTS = { challenge: { moved: 1, dear: 2 }, manifest: { moved: 2, dear: 3 } };

describe("a buyer's purchase record of a quote answered with a redirect (embedded world)", () => {
  it.each(['challenge', 'manifest'] as const)(
    'quotes from %s: the redirected quote is seller_error with status 301 and the reason naming the target, as the paid call from the honest seller is success with status 200',
    async (quoteFrom) => {
      const m = makeMarket();
      m.addSeller({ name: 'dear', priceMsat: 9_000 });
      const moved = movedSeller(m);
      const agent = createBuyerAgent({
        name: 'buyer-1',
        registry: await m.registry(),
        client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
        decider: createDecider('cheapest', { clock: m.clock }),
        clock: m.clock,
        quoteFrom,
        quoting: { mode: 'all' },
      });

      const r = await drive(
        m.clock,
        agent.runTask({ id: 't1', capability: 'data', valueMsat: 50_000, calls: 1 }),
      );

      const rows = r.purchases.map((p) => ({
        seller: p.seller,
        outcome: p.outcome,
        status: p.status,
        reason: p.reason,
        paidMsat: p.paidMsat,
        requests: p.requests,
      }));
      expect(rows).toEqual([
        {
          seller: 'moved',
          outcome: 'seller_error',
          status: 301,
          reason:
            'seller answered 301 (redirect to http://moved.test/v2/data); redirects are not followed: use the final URL',
          paidMsat: 0,
          requests: REQUESTS[quoteFrom].moved,
        },
        {
          seller: 'dear',
          outcome: 'success',
          status: 200,
          reason: undefined,
          paidMsat: 9_000,
          requests: REQUESTS[quoteFrom].dear,
        },
      ]);
      // The redirect was not followed: the moved seller's paywall was never asked for a quote.
      expect(moved.events).toEqual([]);
    },
  );
});
