import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { FeedMessage, ListingFields, RegistryServer } from '../../services/registry/index.js';
import { RegistryClient, startRegistryServer, subscribeFeed } from '../../services/registry/index.js';
import { listing, signer } from './listing-fixture.js';
import { publicLookup } from './lookup-fixture.js';

let server: RegistryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Waits until `list` has `n` items (messages arrive over a real socket). */
async function until<T>(list: T[], n: number): Promise<T[]> {
  for (let i = 0; i < 200 && list.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  return list;
}

describe('registry server on a real socket', () => {
  it('pushes added, updated, price and removed events over the WebSocket feed', async () => {
    const clock = new VirtualClock();
    const lookup = publicLookup; // quotes.test resolves to a public address
    server = await startRegistryServer({ clock, network: 'regtest', probeIntervalMs: 0, lookup });
    const client = new RegistryClient({ baseUrl: server.url, fetch: (r) => fetch(r), clock });
    const messages: FeedMessage[] = [];
    const sub = subscribeFeed(server.url, (m) => messages.push(m));
    await sub.ready;
    expect(server.feed.clients).toBe(1);
    const reg = await client.register(listing, signer);
    if (!reg.ok) throw new Error(reg.message);
    await client.update(
      reg.listing.id,
      { ...listing, tiers: [{ ...listing.tiers[0]!, priceMsat: 2_500 }] },
      signer,
    );
    await client.remove(reg.listing.id, signer);
    await until(messages, 5);
    expect(messages.map((m) => m.type)).toEqual([
      'hello',
      'listing_added',
      'listing_updated',
      'price_changed',
      'listing_removed',
    ]);
    expect(messages[3]).toMatchObject({
      previousPriceMsat: 2_000,
      priceMsat: 2_500,
      listing: { id: reg.listing.id },
    });
    sub.close();
  });

  it('refuses WebSocket upgrades on other paths and keeps serving', async () => {
    server = await startRegistryServer({ clock: new VirtualClock(), network: 'regtest', probeIntervalMs: 0 });
    const ws = new WebSocket(server.url.replace('http:', 'ws:') + '/listings');
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('refuses a feed subscriber beyond maxFeedClients with 503 too_many_subscribers and Retry-After; one leaving makes room', async () => {
    server = await startRegistryServer({
      clock: new VirtualClock(),
      network: 'regtest',
      probeIntervalMs: 0,
      maxFeedClients: 1,
    });
    const first = subscribeFeed(server.url, () => {});
    await first.ready;
    const ws = new WebSocket(server.url.replace('http:', 'ws:') + '/feed');
    const refused = await new Promise<{ status: number; retryAfter: string; body: string }>((resolve) => {
      ws.on('open', () => resolve({ status: 101, retryAfter: '', body: '' }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: String(res.headers['retry-after']), body }),
        );
      });
    });
    expect(refused).toEqual({
      status: 503,
      retryAfter: '5',
      body: JSON.stringify({
        error: 'too_many_subscribers',
        message: 'the feed has 1 subscribers, its limit; retry later',
      }),
    });
    first.close();
    for (let i = 0; i < 200 && server.feed.clients > 0; i++) await new Promise((r) => setTimeout(r, 5));
    const second = subscribeFeed(server.url, () => {});
    await second.ready;
    expect(server.feed.clients).toBe(1);
    second.close();
  });

  it.each([
    ['malformed JSON', { body: '{"listing": ', type: 'application/json' }, 400, 'bad_json'],
    [
      'a body over 64 KiB',
      { body: JSON.stringify({ listing: { name: 'x'.repeat(70_000) } }), type: 'application/json' },
      413,
      'body_too_large',
    ],
    ['a text body', { body: 'hello', type: 'text/plain' }, 415, 'unsupported_media_type'],
    [
      'an unknown field',
      {
        body: JSON.stringify({ listing: {}, signedAt: 1, signature: 'a'.repeat(128), admin: true }),
        type: 'application/json',
      },
      400,
      'invalid_body',
    ],
    [
      'a float price',
      {
        body: JSON.stringify({
          listing: {
            name: 'n',
            url: 'http://a.test',
            category: 'c',
            capabilities: [],
            tiers: [{ tier: 0, name: 't', kind: 'single', priceMsat: 1.5 }],
            nodePubkey: '02' + 'a'.repeat(64),
          },
          signedAt: 1,
          signature: 'a'.repeat(128),
        }),
        type: 'application/json',
      },
      400,
      'invalid_body',
    ],
    [
      'invalid UTF-8',
      { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), type: 'application/json' },
      400,
      'bad_json',
    ],
  ])('answers POST /listings with %s by %i %s', async (_what, { body, type }, status, code) => {
    server = await startRegistryServer({ clock: new VirtualClock(), network: 'regtest', probeIntervalMs: 0 });
    const res = await fetch(`${server.url}/listings`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: code, message: expect.any(String) });
  });

  it.each([
    ['an unknown sort', '?sort=cheapest', 'sort: expected price | rating | latency | random, got "cheapest"'],
    ['a zero limit', '?limit=0', 'limit: expected at least 1'],
    ['a negative price', '?maxPriceMsat=-1', 'maxPriceMsat: a non-negative integer'],
    [
      'a price over 2^53 − 1, said once',
      '?maxPriceMsat=9999999999999999',
      'maxPriceMsat: expected at most 9,007,199,254,740,991',
    ],
    ['a repeated parameter', '?category=a&category=b', 'query parameter category is given 2 times'],
    [
      'an unknown parameter',
      '?owner=me',
      'query: unknown key "owner"; allowed: alive, capability, category, limit, maxPriceMsat, sells, sort, tier, ties',
    ],
    ['a capability with a space', '?capability=a%20b', 'capability: letters, digits, _ . : - only'],
  ])(
    'answers GET /listings with %s by 400 invalid_query naming the parameter',
    async (_what, qs, message) => {
      server = await startRegistryServer({
        clock: new VirtualClock(),
        network: 'regtest',
        probeIntervalMs: 0,
      });
      const res = await fetch(`${server.url}/listings${qs}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_query', message });
    },
  );

  it.each([
    ['public', 'http://127.0.0.1:6379/x', 'address 127.0.0.1 is not allowed (public policy)'],
    ['public', 'http://localhost/admin', 'host localhost is loopback (public policy)'],
    ['public', 'http://[::ffff:10.0.0.1]/x', 'address ::ffff:a00:1 is not allowed (public policy)'],
    ['public', 'http://feed.example/v1/data', 'listed'],
    ['lab', 'http://127.0.0.1:6379/x', 'listed'],
  ] as const)(
    'a %s registry answers a listing for %s (buyers send their tasks to its url): %s',
    async (addressPolicy, url, why) => {
      const clock = new VirtualClock();
      const lookup = publicLookup; // feed.example resolves to a public address
      server = await startRegistryServer({
        clock,
        network: 'regtest',
        probeIntervalMs: 0,
        addressPolicy,
        lookup,
      });
      const feed: ListingFields = { ...listing, name: 'feed', url, category: 'data', capabilities: ['data'] };
      const client = new RegistryClient({ baseUrl: server.url, fetch: (r) => fetch(r), clock });
      const r = await client.register(feed, signer);
      if (why === 'listed') expect(r.ok).toBe(true);
      else
        expect(r).toEqual({
          ok: false,
          status: 400,
          code: 'forbidden_address',
          message: `listing url ${url}: ${why}; a registry for sellers on this machine or network runs with --lab`,
        });
    },
  );

  it('answers a malformed listing id by 400 invalid_id and an unknown one by 404 not_found', async () => {
    server = await startRegistryServer({ clock: new VirtualClock(), network: 'regtest', probeIntervalMs: 0 });
    const bad = await fetch(`${server.url}/listings/..%2F..%2Fetc`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_id' });
    const unknown = await fetch(`${server.url}/listings/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    const del = await fetch(`${server.url}/listings/${'0'.repeat(32)}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signedAt: 1, signature: 'a'.repeat(128) }),
    });
    expect(del.status).toBe(404);
  });
});
