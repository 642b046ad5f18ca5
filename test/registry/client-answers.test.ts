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
import { listingId } from '../../services/registry/signed-writes.js';
import type { ListingFields } from '../../services/registry/types.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket } from '../buyer/market.js';

const NODE = `02${'ab'.repeat(32)}`;
const LISTING = {
  id: listingId(NODE, 'http://feed.test/v1/data'),
  name: 'feed',
  url: 'http://feed.test/v1/data',
  category: 'data',
  capabilities: ['data'],
  tiers: [{ tier: 0, name: 'single', kind: 'single', priceMsat: 5_000 }],
  nodePubkey: NODE,
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

/** A client of `baseUrl` whose registry answers every call with `body` as JSON (or as `type`). */
const serving = (
  body: unknown,
  o: { baseUrl?: string; type?: string; addressPolicy?: 'public' | 'lab' } = {},
) =>
  new RegistryClient({
    baseUrl: o.baseUrl ?? 'http://registry.test',
    fetch: async () =>
      new Response(JSON.stringify(body), { headers: { 'content-type': o.type ?? 'application/json' } }),
    clock: new VirtualClock(0),
    ...(o.addressPolicy ? { addressPolicy: o.addressPolicy } : {}),
  });

/** LISTING at `url`, under the id of its key and url. */
const at = (url: string) => ({ ...LISTING, url, id: listingId(NODE, url) });
const METADATA = 'http://169.254.169.254/latest/meta-data/';
const bad = (message: string) => ({ ok: false, status: 200, code: 'bad_response', message });

describe('a registry listing answer is checked before use', () => {
  it.each([
    [
      'a hostile listing (no name, tiers "free", a javascript: url, a rating of 99, a numeric key)',
      {
        listing: {
          id: 'not-what-you-asked',
          tiers: 'free',
          url: 'javascript:alert(1)',
          rating: { average: 99 },
          nodePubkey: 42,
        },
      },
      'listing.name: required: add name; and 12 more',
    ],
    [
      'another listing than the one asked for',
      { listing: at('http://other.test/v1/data') },
      `listing ${at('http://other.test/v1/data').id}, not ${LISTING.id}`,
    ],
  ])('get: %s fails as bad_response naming it', async (_, body, problem) => {
    expect(await serving(body).get(LISTING.id)).toEqual(
      bad(`registry answered listing ${LISTING.id} with a listing the client cannot use: ${problem}`),
    );
  });

  it('get: the listing asked for, under its key and url’s id, passes; one under an id that is not its key and url’s fails as bad_response', async () => {
    expect(await serving({ listing: LISTING }).get(LISTING.id)).toEqual({ ok: true, listing: LISTING });
    const forged = { ...at('http://other.test/v1/data'), id: LISTING.id };
    expect(await serving({ listing: forged }).get(LISTING.id)).toEqual(
      bad(
        `registry answered listing ${LISTING.id} with a listing the client cannot use: listing.id ${LISTING.id} is not its node key and url's (${listingId(NODE, 'http://other.test/v1/data')}): a registry serves a listing under no other id`,
      ),
    );
  });

  it('get: a listing at the cloud metadata address fails as bad_response, under either policy', async () => {
    const l = at(METADATA);
    for (const addressPolicy of ['public', 'lab'] as const)
      expect(await serving({ listing: l }, { addressPolicy }).get(l.id)).toEqual(
        bad(
          `registry answered listing ${l.id} with a listing the client cannot use: listing.url ${METADATA}: address 169.254.169.254 is not allowed (${addressPolicy} policy) (buyers send their tasks there${addressPolicy === 'public' ? ", a registry on this machine or a lab network is read with addressPolicy 'lab'" : ''})`,
        ),
      );
  });

  it('search: a listing at the metadata address or at 127.0.0.1:6379 from a registry at a name fails as bad_response naming the first', async () => {
    const listings = [LISTING, at('http://127.0.0.1:6379/'), at(METADATA)];
    expect(await serving({ listings }).search()).toEqual(
      bad(
        "registry answered a search the buyer cannot use: listings[1]: url http://127.0.0.1:6379/: address 127.0.0.1 is not allowed (public policy) (buyers send their tasks there, a registry on this machine or a lab network is read with addressPolicy 'lab')",
      ),
    );
  });

  it('search: a registry at a loopback address is read under lab by default: a 127.0.0.1 seller passes, the metadata address does not', async () => {
    const local = { baseUrl: 'http://127.0.0.1:8402' };
    const loopback = at('http://127.0.0.1:7402/v1/q');
    expect(await serving({ listings: [loopback] }, local).search()).toEqual({
      ok: true,
      listings: [loopback],
    });
    expect(await serving({ listings: [loopback, at(METADATA)] }, local).search()).toEqual(
      bad(
        `registry answered a search the buyer cannot use: listings[1]: url ${METADATA}: address 169.254.169.254 is not allowed (lab policy) (buyers send their tasks there)`,
      ),
    );
  });

  it('an answer said to be text/html fails as bad_response, however its body parses', async () => {
    expect(await serving({ listings: [LISTING] }, { type: 'text/html' }).search()).toEqual(
      bad('registry answered 200 with content-type text/html, not application/json'),
    );
  });

  it('register: an answer with another url than the one written fails as bad_response', async () => {
    const written = { ...LISTING, url: 'http://mine.test/v1/data' };
    const {
      id: _id,
      health: _h,
      rating: _r,
      createdAt: _c,
      updatedAt: _u,
      signedAt: _s,
      ...fields
    } = written;
    const signer = { pubkey: NODE, sign: async () => '00'.repeat(64) };
    expect(await serving({ listing: LISTING }).register(fields as ListingFields, signer)).toEqual(
      bad(
        `registry answered the registration with a listing the client cannot use: listing ${LISTING.id}, not ${listingId(NODE, written.url)}`,
      ),
    );
  });

  it('rate: an answer with an average of 99 fails as bad_response', async () => {
    const answer = {
      listingId: LISTING.id,
      paymentHash: 'ab'.repeat(32),
      rating: { average: 99, count: 1, paidMsat: 1 },
    };
    const proof = { score: 5, invoice: 'lnbcrt1', preimage: '00'.repeat(32) };
    const payer = { pubkey: NODE, sign: async () => '00'.repeat(64) };
    expect(await serving(answer).rate(LISTING.id, proof, payer)).toEqual(
      bad(
        `registry answered the rating of ${LISTING.id} with one the client cannot use: rating.average: expected at most 5`,
      ),
    );
  });
});
