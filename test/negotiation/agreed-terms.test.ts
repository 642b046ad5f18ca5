import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client, createPurchaseEngine } from '../../agents/l402/index.js';
import { ruleBuyer } from '../../agents/negotiation/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { l402Paywall, type L402PaywallOptions } from '../../services/paywall/index.js';
import { drive, makeMarket } from '../buyer/market.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

/** Token options of a paywall, beside its node, minter, clock and price. */
type Terms = Partial<Omit<L402PaywallOptions, 'node' | 'minter' | 'clock' | 'price' | 'negotiation'>>;

const ISO_START = '2026-01-01T00:00:00.000Z';
const accepting = { negotiator: { reply: () => ({ kind: 'accept' as const }) } };

/**
 * A seller at http://seller.test/v1/data posting 10,000 msat under `offered` terms whose answers to bids
 * come from a second paywall (same node, minter and clock) that accepts any bid under `agreed` terms.
 */
function switchingSeller(offered: Terms, agreed: Terms) {
  const w = makeWorld();
  const base = { ...w, node: w.seller, price: 10_000 };
  const plain = appWith(l402Paywall({ ...base, service: 'weather', ...offered }));
  const onBid = l402Paywall({ ...base, service: 'weather', ...agreed, negotiation: accepting });
  const app = new Hono();
  app.get('/v1/data', async (c, next) =>
    c.req.header('l402-bid')
      ? ((await (onBid as MiddlewareHandler)(c, next)) as Response)
      : plain.fetch(c.req.raw),
  );
  const fetch: typeof globalThis.fetch = async (input, init) => app.fetch(new Request(input, init));
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  return { engine, offer: () => firstOffer(engine, w) };
}

const changed = (what: string) =>
  `the seller agreed to 5000 msat but changed the token: ${what}; nothing was paid: buy at the posted offer or from another seller`;

describe('an agreed challenge must sell the token the buyer negotiated for', () => {
  it.each<[string, Terms, Terms, string]>([
    ['max calls', { maxCalls: 10 }, { maxCalls: 1 }, "it allows 1 call, not the offer's 10 calls"],
    ['max calls added', {}, { maxCalls: 3 }, "it allows 3 calls, not the offer's unlimited calls"],
    ['tier', { tier: 0 }, { tier: 3 }, "it is for services weather:3, not the offer's weather:0"],
    ['service', {}, { service: 'other' }, "it is for services other:0, not the offer's weather:0"],
    ['methods', {}, { methods: ['GET'] }, "its methods are GET, not the offer's any"],
    ['path prefix', {}, { pathPrefix: '/v1' }, "its path prefix is /v1, not the offer's none"],
    [
      'capabilities',
      { capabilities: ['forecast', 'history'] },
      { capabilities: ['forecast'] },
      "its capabilities are forecast, not the offer's forecast,history",
    ],
    [
      'validity (3,600 s offered, 60 s agreed)',
      { tokenLifetimeSec: 3_600 },
      { tokenLifetimeSec: 60 },
      `it expires at 2026-01-01T00:01:00.000Z, before the offer's 2026-01-01T01:00:00.000Z`,
    ],
    [
      'validity (none offered, 60 s agreed)',
      {},
      { tokenLifetimeSec: 60 },
      "it expires at 2026-01-01T00:01:00.000Z, while the offer's token does not expire",
    ],
  ])(
    'refuses an agreed 5,000 msat token with another %s as invoice_rejected / terms_changed naming it',
    async (_what, offered, agreed, why) => {
      const s = switchingSeller(offered, agreed);
      const r = await s.engine.negotiate(await s.offer(), ruleBuyer(), {});
      expect(r).toEqual({
        ok: false,
        outcome: 'invoice_rejected',
        rejection: 'terms_changed',
        reason: changed(why),
        status: 402,
        quotedMsat: 5_000,
        negotiation: { result: 'no_agreement', postedMsat: 10_000, rounds: 1 },
      });
    },
  );

  it('agrees at 5,000 msat when the agreed token has the same terms and a longer validity (7,200 s for 3,600 s)', async () => {
    const terms = { maxCalls: 10, methods: ['GET'], pathPrefix: '/v1' };
    const s = switchingSeller({ ...terms, tokenLifetimeSec: 3_600 }, { ...terms, tokenLifetimeSec: 7_200 });
    const r = await s.engine.negotiate(await s.offer(), ruleBuyer(), {});
    expect(r.ok && [r.negotiation, r.offer.amountMsat, r.offer.limits.validUntilMs]).toEqual([
      { result: 'agreed', postedMsat: 10_000, agreedMsat: 5_000, rounds: 1 },
      5_000,
      Date.parse(ISO_START) + 7_200_000,
    ]);
  });

  it("refuses an agreed token for tier 7, which the caller's advertised prices do not list, as unlisted_tier", async () => {
    const s = switchingSeller({ tier: 0 }, { tier: 7 });
    const listed = (tier: number | undefined) => (tier === 0 ? 10_000 : undefined);
    const r = await s.engine.negotiate(await s.offer(), ruleBuyer(), {}, listed);
    expect(r).toMatchObject({
      ok: false,
      outcome: 'invoice_rejected',
      rejection: 'unlisted_tier',
      reason: "the token is for tier 7, which the seller's listing does not advertise",
      negotiation: { result: 'no_agreement', postedMsat: 10_000, rounds: 1 },
    });
  });
});

/**
 * A market with one seller listing and quoting a 10-call bundle at 50,000 msat whose answers to bids come
 * from a second paywall (same node, minter and service name) that accepts any bid under `agreed` terms, and
 * a buyer whose 10-call task is worth 100,000 msat. Runs the task.
 */
async function buyFromSwitchingSeller(agreed: Terms) {
  const m = makeMarket();
  const s = m.addSeller({ name: 'alpha', priceMsat: 50_000, maxCalls: 10 });
  const onBid = l402Paywall({
    node: s.node,
    minter: s.minter,
    clock: m.clock,
    service: 'alpha',
    price: 50_000,
    ...agreed,
    negotiation: accepting,
  });
  const app = new Hono();
  app.get('/v1/data', async (c, next) =>
    c.req.header('l402-bid')
      ? ((await (onBid as MiddlewareHandler)(c, next)) as Response)
      : s.app.fetch(c.req.raw),
  );
  m.mount(s.host, app);
  const agent = createBuyerAgent({
    name: 'haggler',
    registry: await m.registry(),
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    negotiator: ruleBuyer(),
  });
  const before = await m.balance(m.buyer);
  const task = { id: 't-terms', capability: 'data', valueMsat: 100_000, calls: 10 };
  const r = await drive(m.clock, agent.runTask(task));
  return {
    r,
    rows: r.purchases.map((p) => [p.outcome, p.rejection, p.quotedMsat, p.paidMsat, p.reason]),
    spentMsat: before - (await m.balance(m.buyer)),
    served: s.served,
  };
}

describe('the buyer graph against a seller that changes the token it agreed to sell', () => {
  it('pays nothing for a 1-call token sold for the negotiated 10-call bundle: invoice_rejected / terms_changed at 25,000 msat, 0 calls served', async () => {
    const b = await buyFromSwitchingSeller({ maxCalls: 1 });
    expect(b.rows).toEqual([
      [
        'invoice_rejected',
        'terms_changed',
        25_000,
        0,
        "the seller agreed to 25000 msat but changed the token: it allows 1 call, not the offer's 10 calls; nothing was paid: buy at the posted offer or from another seller",
      ],
    ]);
    expect([b.r.done, b.r.stopReason, b.r.spentMsat, b.spentMsat, b.served]).toEqual([
      false,
      'no_acceptable_offer',
      0,
      0,
      0,
    ]);
  });

  it("pays nothing for an agreed token of tier 7, which the seller's listing does not advertise: invoice_rejected / unlisted_tier", async () => {
    const b = await buyFromSwitchingSeller({ maxCalls: 10, tier: 7 });
    expect(b.rows).toEqual([
      [
        'invoice_rejected',
        'unlisted_tier',
        25_000,
        0,
        "the token is for tier 7, which the seller's listing does not advertise",
      ],
    ]);
    expect([b.spentMsat, b.served]).toEqual([0, 0]);
  });
});
