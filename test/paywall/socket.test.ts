import { afterEach, describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization } from '../../infra/l402/index.js';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { Fetcher } from './helpers.js';
import { appWith, buy, json, makeWorld } from './helpers.js';

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves an app on 127.0.0.1:<free port> and returns a fetcher against it. */
async function onSocket(app: { fetch: (r: Request) => Response | Promise<Response> }): Promise<Fetcher> {
  server = await listen(app.fetch);
  const base = server.url;
  return (path, init) => fetch(base + path, init);
}

describe('l402Paywall on a real socket (@hono/node-server)', () => {
  it('sells, reuses, and exhausts a token over real HTTP', async () => {
    const w = makeWorld();
    const http = await onSocket(
      appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 2_000, maxCalls: 3 })),
    );
    const { authorization, res } = await buy(w, http, '/v1/data');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, data: 42 });
    const [mac, preimage] = authorization.slice(5).split(':') as [string, string];
    const copy = formatAuthorization({
      macaroon: attenuate(mac, [caveats.maxCalls('weather', 1)]),
      preimage,
    });
    expect((await http('/v1/data', { headers: { authorization: copy } })).status).toBe(200);
    expect((await http('/v1/data', { headers: { authorization: copy } })).status).toBe(402);
    expect((await http('/v1/data', { headers: { authorization } })).status).toBe(200);
    const over = await http('/v1/data', { headers: { authorization } });
    expect(over.status).toBe(402);
    expect((await json(over)).reason).toBe('quota_exhausted');
  });

  it.each([
    ['a garbage credential', 'L402 !!!:zz', 402],
    ['a macaroon that is not base64 of a macaroon', `L402 ${'A'.repeat(40)}:${'0'.repeat(64)}`, 402],
    ['an uppercase preimage', `L402 AgEEbHNhdAJC:${'A'.repeat(64)}`, 402],
    ['another scheme', 'Bearer abc', 402],
    ['an 8 KiB credential', `L402 ${'A'.repeat(8192)}:${'0'.repeat(64)}`, 402],
    ['a header Node refuses as too large', `L402 ${'A'.repeat(20_000)}:${'0'.repeat(64)}`, 431],
  ])('answers %s with %i and keeps serving', async (_what, authorization, status) => {
    const w = makeWorld();
    const http = await onSocket(
      appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 2_000 })),
    );
    const res = await http('/v1/data', { headers: { authorization } });
    expect(res.status).toBe(status);
    if (status === 402) expect((await json(res)).error).toBe('payment_required');
    expect((await http('/v1/data')).status).toBe(402);
  });

  it('answers a junk L402-Tier header with 400 and a reason', async () => {
    const w = makeWorld();
    const http = await onSocket(
      appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 2_000 })),
    );
    const res = await http('/v1/data', { headers: { 'L402-Tier': '1; DROP TABLE' } });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'bad_header' });
  });
});
