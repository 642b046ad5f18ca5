import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization } from '../../infra/l402/index.js';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { Fetcher } from './helpers.js';
import { appWith, buy, json, makeWorld, type World } from './helpers.js';

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
    if (status === 431) expect((await json(res)).error).toBe('headers_too_large');
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

/**
 * GETs `path` with each of `authorizations` as its own `Authorization` header
 * line (fetch would join them itself). Raw header lists get no automatic Host.
 */
function getWithHeaderLines(
  path: string,
  authorizations: string[],
): Promise<{ status: number; wwwAuthenticate: string | undefined; body: unknown }> {
  const url = new URL(path, server!.url);
  const headers = ['host', url.host, ...authorizations.flatMap((a) => ['authorization', a])];
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          const body = JSON.parse(text) as unknown;
          resolve({ status: res.statusCode!, wwwAuthenticate: res.headers['www-authenticate'], body });
        } catch (err) {
          reject(
            new Error(`${res.statusCode} with a body that is not JSON: ${JSON.stringify(text)}`, {
              cause: err,
            }),
          );
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('l402Paywall and the Authorization header sent twice (real HTTP, two header lines)', () => {
  /** A seller on a socket whose paid route allows `maxCalls`, and a token bought from it. */
  async function sellerAndToken(w: World, maxCalls: number): Promise<string> {
    const http = await onSocket(
      appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 2_000, maxCalls })),
    );
    const { authorization, res } = await buy(w, http, '/v1/data');
    expect(res.status).toBe(200);
    return authorization;
  }

  it('answers two different L402 credentials with 400 bad_header, no invoice, naming both', async () => {
    const w = makeWorld();
    await sellerAndToken(w, 5);
    const res = await getWithHeaderLines('/v1/data', ['L402 a:b', 'L402 c:d']);
    expect(res).toEqual({
      status: 400,
      wwwAuthenticate: undefined,
      body: {
        error: 'bad_header',
        message:
          'the request carries more than one Authorization credential (2 different: "L402 a:b", "L402 c:d"); send one',
      },
    });
  });

  it('answers a valid token followed by a junk header with 400 bad_header and does not spend a call', async () => {
    const w = makeWorld();
    const authorization = await sellerAndToken(w, 2);
    const res = await getWithHeaderLines('/v1/data', [authorization, 'junk']);
    expect(res.status).toBe(400);
    expect(res.wwwAuthenticate).toBeUndefined();
    expect(res.body).toEqual({
      error: 'bad_header',
      message: `the request carries more than one Authorization credential (2 different: "${authorization.slice(0, 24)}…(${authorization.length} chars)", "junk"); send one`,
    });
    // The refused request spent nothing: the token's second and last call still goes through.
    expect((await getWithHeaderLines('/v1/data', [authorization])).status).toBe(200);
    expect((await getWithHeaderLines('/v1/data', [authorization])).status).toBe(402);
  });

  it('answers junk followed by a valid token with 400 bad_header', async () => {
    const w = makeWorld();
    const authorization = await sellerAndToken(w, 5);
    const res = await getWithHeaderLines('/v1/data', ['Bearer abc', authorization]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'bad_header',
      message: `the request carries more than one Authorization credential (2 different: "Bearer abc", "${authorization.slice(0, 24)}…(${authorization.length} chars)"); send one`,
    });
  });

  it("serves the LSAT and L402 copies of one token that Aperture's Go client sends, as one call", async () => {
    const w = makeWorld();
    const authorization = await sellerAndToken(w, 2);
    const lsat = authorization.replace(/^L402 /, 'LSAT ');
    const res = await getWithHeaderLines('/v1/data', [lsat, authorization]);
    expect(res).toEqual({ status: 200, wwwAuthenticate: undefined, body: { ok: true, data: 42 } });
    // Two calls allowed: the purchase and this one; the copies counted once.
    expect((await getWithHeaderLines('/v1/data', [authorization])).status).toBe(402);
  });

  it('treats two headers of other schemes as no L402 credential: a fresh 402 challenge', async () => {
    const w = makeWorld();
    await sellerAndToken(w, 5);
    const res = await getWithHeaderLines('/v1/data', ['Bearer abc', 'Basic dXNlcjpwYXNz']);
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ error: 'payment_required', reason: 'missing' });
    expect(res.wwwAuthenticate).toMatch(/^L402 macaroon="/);
  });
});
