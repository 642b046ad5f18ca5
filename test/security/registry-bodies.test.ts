import { describe, expect, it } from 'vitest';
import { listingOf, nodeKeys, openRegistry } from './registry-helpers.js';

const post = (
  path: string,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  new Request(`http://registry.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

/** A body stream that never says how long it is. */
function stream(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= bytes) return c.close();
      const n = Math.min(4096, bytes - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

describe('registry request bodies have limits and clear 400s', () => {
  it.each([
    [
      'a 1 MiB body',
      () => post('/listings', ' '.repeat(1 << 20)),
      413,
      'body_too_large',
      /body exceeds the 16384-byte limit/,
    ],
    [
      'a body streamed without a length',
      () => post('/listings', stream(1 << 20)),
      413,
      'body_too_large',
      /16384/,
    ],
    ['text that is not JSON', () => post('/listings', 'listing=1'), 400, 'bad_json', /not valid JSON/],
    [
      'a form body',
      () => post('/listings', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
      /application\/json/,
    ],
  ])('refuses %s', async (_what, request, status, code, message) => {
    const { app } = await openRegistry();
    const res = await app.fetch(request());
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe(code);
    expect(body.message).toMatch(message);
  });

  it.each([
    [
      'a JSON array',
      () => post('/listings', '[]'),
      'body: expected an object (key: value entries), got a list',
    ],
    [
      'an unknown field',
      () => post('/listings', '{"admin":true}'),
      'listing: required: add listing; signedAt: required: add signedAt; signature: required: add signature; body: unknown key "admin"; allowed: listing, registry, signature, signedAt',
    ],
    [
      'a deeply nested body',
      () => post('/listings', '['.repeat(5_000) + ']'.repeat(5_000)),
      'body: expected an object (key: value entries), got a list',
    ],
    [
      'a rating with a 9 KB invoice',
      () =>
        post(
          `/listings/${'0'.repeat(32)}/ratings`,
          JSON.stringify({
            score: 1,
            invoice: 'l'.repeat(9_000),
            preimage: '00'.repeat(32),
            payer: '02' + '00'.repeat(32),
            signedAt: 1,
            signature: '00'.repeat(64),
          }),
        ),
      'invoice: expected at most 8,192 characters',
    ],
  ])('refuses %s by 400 invalid_body in plain words, naming the field', async (_what, request, message) => {
    const { app } = await openRegistry();
    const res = await app.fetch(request());
    expect([res.status, await res.json()]).toEqual([400, { error: 'invalid_body', message }]);
  });

  it('names the field that is wrong in a listing', async () => {
    const { app, clock } = await openRegistry();
    const { seller } = nodeKeys(13, ['seller']);
    const listing = {
      ...listingOf(seller, 'ftp://shop.test/x'),
      tiers: [{ tier: 0, name: 'b', kind: 'bundle', priceMsat: -1 }],
    };
    const res = await app.fetch(
      post('/listings', JSON.stringify({ listing, signedAt: clock.now(), signature: '00'.repeat(64) })),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_body',
      message:
        'listing.url: must be an absolute http(s) URL; listing.tiers[0].priceMsat: expected at least 1 msat: no paywall sells a call for 0; listing.tiers[0].calls: a bundle tier needs calls >= 2',
    });
  });
});
