import { afterEach, describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { COMPUTE_BODY_LIMIT, MAX_NUMBER_CHARS } from '../../services/sellers/compute.js';
import { createSeller, stats, type SellerConfigInput } from '../../services/sellers/index.js';
import {
  HOLD_REQUEST,
  challengeOf,
  holdRetryHeaders,
  json,
  makeWorld,
  payInvoice,
} from '../paywall/helpers.js';
import type { World } from '../paywall/helpers.js';

/**
 * The sellers' input checks over real HTTP: a seller app on a socket, a token
 * bought on the embedded network (a 5-call bundle), then the call under test.
 * A refused input is a 4xx the paywall does not give back: the call stays
 * counted (only a 5xx releases it), as `L402-Calls-Remaining` shows.
 */
let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REFUSED = { error: 'invalid_body', message: expect.any(String) };

/** A seller of `archetype` on a real socket, and an authorization for 5 of its calls. */
async function paidSeller(archetype: SellerConfigInput['archetype'], path: string) {
  const w = makeWorld();
  const s = await createSeller(
    { archetype, quality: 1, latency: { kind: 'fixed', ms: 0 }, tiers: [{ kind: 'bundle', calls: 5 }] },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
  );
  server = await listen(s.app.fetch);
  const url = server.url;
  const { macaroon, invoice } = challengeOf(await fetch(`${url}${path}`));
  const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
  return { w, s, url, authorization };
}

/** POSTs `body` (text, sent as is) with the token. */
const postText = (url: string, authorization: string, body: string) =>
  fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });

/** The answer's status, JSON body and calls left, for one exact assertion. */
async function answer(res: Response) {
  return { status: res.status, body: await json(res), left: res.headers.get('L402-Calls-Remaining') };
}

describe('compute body limit', () => {
  it('serves a 10,000-number job of 0.123456789 each (120,013 bytes), over the old 64 KiB (65,536-byte) default', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    const numbers = Array<number>(10_000).fill(0.123456789);
    const body = JSON.stringify({ numbers });
    expect(body.length).toBe(120_013); // 10,000 × "0.123456789," less the last comma, and {"numbers":[ ]}
    expect(await answer(await postText(`${url}/v1/compute`, authorization, body))).toEqual({
      status: 200,
      body: { ...stats(numbers) },
      left: '4',
    });
  });

  it('fits the longest job exactly: 10,000 numbers of the longest JSON text, with Python-style ", " separators', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    const longest = -0.0000012345678901234567;
    expect(JSON.stringify(longest)).toHaveLength(MAX_NUMBER_CHARS);
    const numbers = Array<number>(10_000).fill(longest);
    const body = `{"numbers": [${numbers.map((n) => JSON.stringify(n)).join(', ')}]}`;
    expect(body.length).toBe(COMPUTE_BODY_LIMIT);
    expect(COMPUTE_BODY_LIMIT).toBe(270_013);
    const res = await answer(await postText(`${url}/v1/compute`, authorization, body));
    expect(res).toEqual({ status: 200, body: { ...stats(numbers) }, left: '4' });
    expect(res.body.count).toBe(10_000);
  });

  it('refuses a body one byte over the limit with 413 body_too_large naming it, and counts the call', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    const body = `{"numbers": [1]}`.padEnd(COMPUTE_BODY_LIMIT + 1, ' ');
    expect(await answer(await postText(`${url}/v1/compute`, authorization, body))).toEqual({
      status: 413,
      body: {
        error: 'body_too_large',
        message: 'body exceeds the 270013-byte limit (Content-Length 270014)',
      },
      left: '4',
    });
  });
});

describe('compute magnitude bound', () => {
  it('refuses [1e308, 1e308] with 400 invalid_body naming the ±1e150 limit, and counts the call', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    const res = await postText(`${url}/v1/compute`, authorization, '{"numbers":[1e308,1e308]}');
    const within = 'must be between -1e+150 and 1e+150 (so sums and squares stay finite)';
    expect(await answer(res)).toEqual({
      status: 400,
      body: { ...REFUSED, message: `numbers[0]: ${within}; numbers[1]: ${within}` },
      left: '4',
    });
  });

  it('refuses -1e151 as well as 1e151 (the bound is on the magnitude)', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    const res = await postText(`${url}/v1/compute`, authorization, '{"numbers":[1,-1e151]}');
    expect(await answer(res)).toEqual({
      status: 400,
      body: {
        ...REFUSED,
        message: 'numbers[1]: must be between -1e+150 and 1e+150 (so sums and squares stay finite)',
      },
      left: '4',
    });
  });

  it('answers only finite statistics for 10,000 numbers at ±1e150, the widest valid job', async () => {
    const { url, authorization } = await paidSeller('compute', '/v1/compute');
    for (const numbers of [
      Array<number>(10_000).fill(1e150),
      Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 1e150 : -1e150)),
    ]) {
      const res = await answer(
        await postText(`${url}/v1/compute`, authorization, JSON.stringify({ numbers })),
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...stats(numbers) });
      expect(Object.values(res.body).every((v) => Number.isFinite(v))).toBe(true);
    }
  });
});

describe('data-feed query', () => {
  it.each([
    ['a repeated region', '?region=eu&region=us', 'query parameter region is given 2 times'],
    ['a repeated days', '?days=7&days=8', 'query parameter days is given 2 times'],
    ['an unknown parameter', '?foo=bar', 'query: unknown key "foo"; allowed: days, region'],
    [
      'an unknown parameter beside valid ones',
      '?region=eu&days=3&limit=1',
      'query: unknown key "limit"; allowed: days, region',
    ],
    ['a parameter named __proto__', '?__proto__=1', 'query: unknown key "__proto__"; allowed: days, region'],
    ['a parameter without a name', '?=x', 'query: unknown key ""; allowed: days, region'],
    ['days out of range', '?region=eu&days=32', 'days: must be an integer 1..31'],
    ['a bad region', '?region=EU', 'region: must be 2-16 lowercase letters'],
  ])(
    'refuses %s with 400 invalid_query naming the parameter, and counts the call',
    async (_what, qs, message) => {
      const { url, authorization } = await paidSeller('data-feed', '/v1/anomalies');
      const res = await fetch(`${url}/v1/anomalies${qs}`, { headers: { authorization } });
      expect(await answer(res)).toEqual({
        status: 400,
        body: { error: 'invalid_query', message },
        left: '4',
      });
    },
  );

  it('still serves region and days given once each, and the defaults (global, 7 days) with no query', async () => {
    const { url, authorization } = await paidSeller('data-feed', '/v1/anomalies');
    const eu = await json(
      await fetch(`${url}/v1/anomalies?region=eu&days=07`, { headers: { authorization } }),
    );
    expect([eu.region, (eu.series as unknown[]).length]).toEqual(['eu', 7]);
    const plain = await json(await fetch(`${url}/v1/anomalies`, { headers: { authorization } }));
    expect([plain.region, (plain.series as unknown[]).length]).toEqual(['global', 7]);
  });
});

describe('llm-summary text', () => {
  it.each([
    ['whitespace only', '{"text":"   \\n\\n  "}', 'text: must not be empty or only whitespace'],
    ['empty', '{"text":""}', 'text: must not be empty or only whitespace'],
  ])('refuses %s text with 400 invalid_body, and counts the call', async (_what, body, message) => {
    const { url, authorization } = await paidSeller('llm-summary', '/v1/summarize');
    expect(await answer(await postText(`${url}/v1/summarize`, authorization, body))).toEqual({
      status: 400,
      body: { error: 'invalid_body', message },
      left: '4',
    });
  });

  it('summarizes text with surrounding whitespace as sent', async () => {
    const { url, authorization } = await paidSeller('llm-summary', '/v1/summarize');
    const body = JSON.stringify({ text: '  Agents pay per call.  ', maxSentences: 1 });
    expect(await answer(await postText(`${url}/v1/summarize`, authorization, body))).toEqual({
      status: 200,
      body: { summary: 'Agents pay per call.', model: 'extractive-v1', maxSentences: 1 },
      left: '4',
    });
  });
});

describe('refused input under pay-on-success', () => {
  it('cancels the hold invoice when the seller refuses the input: the buyer is refunded to the msat', async () => {
    const w: World = makeWorld();
    const s = await createSeller(
      { archetype: 'llm-summary', latency: { kind: 'fixed', ms: 0 }, payOnSuccess: true },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
    const quote = await s.app.request('/v1/summarize', { headers: HOLD_REQUEST });
    const { macaroon, invoice } = challengeOf(quote);
    const before = (await w.buyer.balances()).localMsat;
    const paying = w.buyer.pay(invoice);
    const retry = Promise.resolve(
      s.app.request('/v1/summarize', {
        method: 'POST',
        headers: { ...holdRetryHeaders(macaroon), 'content-type': 'application/json' },
        body: '{"text":"   "}',
      }),
    );
    await w.clock.runUntilIdle();
    const res = await retry;
    expect([res.status, (await json(res)).error]).toEqual([400, 'invalid_body']);
    expect((await paying).status).toBe('failed');
    expect((await w.buyer.balances()).localMsat).toBe(before);
  });
});
