import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { LabError } from '../../infra/errors.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { makeMarket, type Market } from './market.js';

/**
 * A request path with percent-escapes is read the same way by the buyer, when
 * it checks a token's `<service>_path_prefix` before paying, and by the
 * seller's verifier (infra/l402 requestPath, Hono's c.req.path): escapes
 * decoded, and a prefix written decoded. Honest 10-call sellers behind the
 * real paywall on the simnet, serving /v1/*; each token is 5,000 msat and
 * the hop fee 105 msat.
 */

const PRICE_MSAT = 5_000;
const FEE_MSAT = 105;

interface Served {
  url: (path: string) => string;
  events: PaywallEvent[];
  /** `METHOD path` of every request, as the seller's route sees it (c.req.path). */
  seen: string[];
}

/** Seller `svc` (svc.test) whose 10-call tokens are bound to `pathPrefix`. */
function sellerOf(m: Market, pathPrefix: string): Served {
  const s = m.addSeller({ name: 'svc', priceMsat: PRICE_MSAT, maxCalls: 10 });
  const events: PaywallEvent[] = [];
  const seen: string[] = [];
  const paywall = l402Paywall({
    node: s.node,
    minter: s.minter,
    clock: m.clock,
    service: 'svc',
    price: PRICE_MSAT,
    maxCalls: 10,
    pathPrefix,
    onEvent: (e) => events.push(e),
  }) as MiddlewareHandler;
  const app = new Hono();
  app.use(async (c, next) => {
    seen.push(`${c.req.method} ${c.req.path}`);
    await next();
  });
  app.get('/v1/*', paywall, (c) => c.json({ path: c.req.path }));
  m.mount(s.host, app);
  return { url: (path) => `http://${s.host}${path}`, events, seen };
}

const clientOf = (m: Market) => createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });

describe('a token bound to /v1/café (svc_path_prefix=/v1/café)', () => {
  it('GET /v1/café/x, sent as /v1/caf%C3%A9/x, twice: bought for 5,000 msat, then reused; the seller refuses nothing', async () => {
    const m = makeMarket();
    const s = sellerOf(m, '/v1/café');
    const client = clientOf(m);
    const before = await m.balance(m.buyer);

    const results = [
      await client.purchase(s.url('/v1/café/x')),
      await client.purchase(s.url('/v1/caf%C3%A9/x')),
    ];

    expect(results.map((r) => [r.outcome, r.paidMsat, r.tokenReused, r.reason ?? null])).toEqual([
      ['success', PRICE_MSAT, false, null],
      ['success', 0, true, null],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(s.seen).toEqual(['GET /v1/café/x', 'GET /v1/café/x', 'GET /v1/café/x']);
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
    expect(client.tokens.list().map((t) => [t.state, t.pathPrefix, t.callsUsed])).toEqual([
      ['paid', '/v1/café', 2],
    ]);
  });
});

describe('a token bound to /v1/data (svc_path_prefix=/v1/data)', () => {
  it('GET /v1/dat%61 is /v1/data: bought for 5,000 msat, and GET /v1/data reuses it', async () => {
    const m = makeMarket();
    const s = sellerOf(m, '/v1/data');
    const client = clientOf(m);
    const before = await m.balance(m.buyer);

    const results = [await client.purchase(s.url('/v1/dat%61')), await client.purchase(s.url('/v1/data'))];

    expect(results.map((r) => [r.outcome, r.paidMsat, r.tokenReused, r.reason ?? null])).toEqual([
      ['success', PRICE_MSAT, false, null],
      ['success', 0, true, null],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(s.seen).toEqual(['GET /v1/data', 'GET /v1/data', 'GET /v1/data']);
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
  });
});

describe('a path prefix written with escapes (/v1/caf%C3%A9)', () => {
  it('a paywall configured with it is refused when built, naming the decoded spelling', () => {
    const build = () => sellerOf(makeMarket(), '/v1/caf%C3%A9');
    expect(build).toThrow(LabError);
    expect(build).toThrow(
      `options: path prefix "/v1/caf%C3%A9" holds '%': write it decoded (/v1/café, not /v1/caf%C3%A9): request paths are matched with their escapes decoded`,
    );
  });
});
