/**
 * What a registry answers a search is checked before a buyer uses it: an
 * answer that is not a list of well-formed listings fails as `bad_response`
 * naming the first problem, and a buyer reading it stops as
 * `registry_unavailable` instead of throwing.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { RegistryClient } from '../../services/registry/client.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket } from '../buyer/market.js';

const LISTING = {
  id: '0123456789abcdef0123456789abcdef',
  name: 'feed',
  url: 'http://feed.test/v1/data',
  category: 'data',
  capabilities: ['data'],
  tiers: [{ tier: 0, name: 'single', kind: 'single', priceMsat: 5_000 }],
  nodePubkey: `02${'ab'.repeat(32)}`,
  health: { alive: true, latencyMs: 12, checkedAt: 1_000, failures: 0 },
  rating: { average: 4.5, count: 2, paidMsat: 10_000 },
  createdAt: 1_000,
  updatedAt: 1_000,
  signedAt: 1_000,
};

const answering = (body: unknown) =>
  new RegistryClient({
    baseUrl: 'http://registry.test',
    fetch: async () => Response.json(body),
    clock: new VirtualClock(0),
  });

describe('a registry search answer is checked before use', () => {
  it('a well-formed listing passes as it was served (a field a newer registry adds is dropped)', async () => {
    expect(await answering({ listings: [{ ...LISTING, badge: 'new' }] }).search()).toEqual({
      ok: true,
      listings: [LISTING],
    });
  });

  it.each([
    ['listings is a string', { listings: 'xyz' }, 'listings: expected a list, got "xyz"'],
    [
      'a listing is null',
      { listings: [null] },
      'listings[0]: expected an object (key: value entries), got null',
    ],
    [
      'a listing has no tiers',
      { listings: [{ ...LISTING, tiers: undefined }] },
      'listings[0].tiers: required: add tiers',
    ],
    [
      'a url that is not one',
      { listings: [{ ...LISTING, url: 'not a url' }] },
      'listings[0].url: must not contain whitespace',
    ],
    [
      'a rating of 1e308',
      { listings: [{ ...LISTING, rating: { ...LISTING.rating, average: 1e308 } }] },
      'listings[0].rating.average: expected at most 5',
    ],
    [
      'a latency of 1e300 ms',
      { listings: [{ ...LISTING, health: { ...LISTING.health, latencyMs: 1e300 } }] },
      'listings[0].health.latencyMs: expected at most 86,400,000',
    ],
  ])('%s: bad_response naming it in plain words, the path as written', async (_, body, problem) => {
    const r = await answering(body).search();
    expect(r).toMatchObject({ ok: false, status: 200, code: 'bad_response' });
    expect(r.ok ? '' : r.message).toBe(`registry answered a search the buyer cannot use: ${problem}`);
  });

  it('a buyer whose registry answers listings: "xyz" stops as registry_unavailable, nothing bought', async () => {
    const m = makeMarket();
    m.addSeller({ name: 'feed', priceMsat: 5_000 });
    const app = new Hono();
    app.get('/listings', (c) => c.json({ listings: 'xyz' }));
    m.mount('registry.test', app);
    const agent = createBuyerAgent({
      name: 'b',
      registry: new RegistryClient({
        baseUrl: 'http://registry.test',
        fetch: (r) => m.fetch(r),
        clock: m.clock,
      }),
      client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
      clock: m.clock,
      decider: createDecider('cheapest', { clock: m.clock }),
    });
    const r = await drive(
      m.clock,
      agent.runTask({ id: 't', capability: 'data', valueMsat: 50_000, calls: 1 }),
    );
    expect([r.stopReason, r.purchases.length, r.spentMsat]).toEqual(['registry_unavailable', 0, 0]);
  });
});
