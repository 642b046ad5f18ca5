import { describe, expect, it } from 'vitest';
import { Macaroon } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { settle } from '../../infra/time/virtual-clock.js';
import type { SellerConfigInput } from '../../services/sellers/index.js';
import { createSeller, extractiveSummarizer, stats } from '../../services/sellers/index.js';
import { buy, challengeOf, inMemory, json, makeWorld, payInvoice } from '../paywall/helpers.js';
import type { World } from '../paywall/helpers.js';
import { LabError } from '../../infra/errors.js';

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function seller(w: World, config: SellerConfigInput, seed = 'seller') {
  return createSeller(config, { node: w.seller, clock: w.clock, rng: w.rng.fork(seed) });
}

/** Runs a request to completion while the virtual clock moves (handlers sleep their service time). */
async function run(w: World, res: Response | Promise<Response>): Promise<Response> {
  const p = Promise.resolve(res);
  await w.clock.runUntilIdle();
  return p;
}

describe('data-feed seller', () => {
  it('sells the same anomalies to everyone for the same seed, and other data for another seed', async () => {
    const w = makeWorld();
    const a = await seller(w, { archetype: 'data-feed', latency: { kind: 'fixed', ms: 0 } });
    const b = await seller(w, { archetype: 'data-feed', latency: { kind: 'fixed', ms: 0 } });
    const c = await seller(w, { archetype: 'data-feed', latency: { kind: 'fixed', ms: 0 } }, 'another');
    const path = '/v1/anomalies?region=eu&days=5';
    const [ra, rb, rc] = await Promise.all(
      [a, b, c].map(async (s) => (await buy(w, inMemory(s.app), path)).res),
    );
    const [da, db, dc] = await Promise.all([ra!, rb!, rc!].map((r) => json(r)));
    expect((da!.series as unknown[]).length).toBe(5);
    expect(da).toEqual(db);
    expect(da).not.toEqual(dc);
    expect((da!.series as { date: string }[]).at(-1)!.date).toBe('2026-01-01');
  });

  it('degrades with quality: a quality-0.2 feed replaces 25 of 31 days with noise (each day with chance 0.8)', async () => {
    const w = makeWorld();
    const good = await seller(w, { archetype: 'data-feed', quality: 1, latency: { kind: 'fixed', ms: 0 } });
    const bad = await seller(w, { archetype: 'data-feed', quality: 0.2, latency: { kind: 'fixed', ms: 0 } });
    const path = '/v1/anomalies?region=asia&days=31';
    const g = (await json((await buy(w, inMemory(good.app), path)).res)).series as { anomalyC: number }[];
    const b = (await json((await buy(w, inMemory(bad.app), path)).res)).series as { anomalyC: number }[];
    // Day by day, the same anomaly as the quality-1 feed (=) or noise in its place (x).
    const same = g.map((x, i) => (x.anomalyC === b[i]!.anomalyC ? '=' : 'x')).join('');
    expect(same).toBe('=x=xxxxxxxxxxxxxxxxxxxxx=x=xx==');
  });

  it('answers a bad query with 400 naming the parameter', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'data-feed',
      latency: { kind: 'fixed', ms: 0 },
      tiers: [{ kind: 'bundle', calls: 5 }],
    });
    const { authorization } = await buy(w, inMemory(s.app), '/v1/anomalies');
    const r = await s.app.request('/v1/anomalies?region=EU;drop', { headers: { authorization } });
    expect(r.status).toBe(400);
    expect((await json(r)).message).toMatch(/region/);
  });
});

describe('compute seller', () => {
  it('computes statistics of the posted numbers after its service time on the clock', async () => {
    const w = makeWorld();
    const s = await seller(w, { archetype: 'compute', latency: { kind: 'fixed', ms: 300 } });
    const quote = await s.app.request('/v1/compute'); // GET without a token is a quote
    expect(quote.status).toBe(402);
    const { macaroon, invoice } = challengeOf(quote);
    const preimage = await payInvoice(w, w.buyer, invoice);
    const t0 = w.clock.now();
    const res = await run(
      w,
      s.app.request(
        '/v1/compute',
        post({ numbers: [3, 1, 4, 1, 5] }, { authorization: `L402 ${macaroon}:${preimage}` }),
      ),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(stats([3, 1, 4, 1, 5]));
    expect(stats([3, 1, 4, 1, 5])).toMatchObject({ count: 5, sum: 14, median: 3, min: 1, max: 5 });
    expect(w.clock.now() - t0).toBe(300);
  });

  it('answers 503 with Retry-After when every slot is busy, before quoting or counting', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'compute',
      capacity: 2,
      latency: { kind: 'fixed', ms: 2_000 },
      tiers: [{ kind: 'bundle', calls: 10 }],
    });
    const { macaroon, invoice } = challengeOf(await s.app.request('/v1/compute'));
    const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
    const jobs = [1, 2].map(() => s.app.request('/v1/compute', post({ numbers: [1] }, { authorization })));
    await settle();
    expect(s.inUse).toBe(2);
    const full = await s.app.request('/v1/compute', post({ numbers: [1] }, { authorization }));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('2');
    expect((await s.app.request('/v1/compute')).status).toBe(503);
    await w.clock.runUntilIdle();
    expect((await Promise.all(jobs)).map((r) => r.status)).toEqual([200, 200]);
    const after = await run(w, s.app.request('/v1/compute', post({ numbers: [1] }, { authorization })));
    expect(after.headers.get('L402-Calls-Remaining')).toBe('7');
  });

  it('refuses a malformed job body with 400, an oversize one with 413, never 500', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'compute',
      latency: { kind: 'fixed', ms: 0 },
      tiers: [{ kind: 'bundle', calls: 10 }],
    });
    const { macaroon, invoice } = challengeOf(await s.app.request('/v1/compute'));
    const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
    const cases: [string, RequestInit, number][] = [
      [
        'malformed JSON',
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: '{"numbers": [1,',
        },
        400,
      ],
      ['an unknown field', post({ numbers: [1], extra: true }, { authorization }), 400],
      ['a string among the numbers', post({ numbers: [1, 'two'] }, { authorization }), 400],
      ['too many numbers', post({ numbers: Array(10_001).fill(1) }, { authorization }), 400],
      [
        'a body over the compute limit (270,013 bytes)',
        post({ numbers: Array(30_000).fill(123456.789) }, { authorization }),
        413,
      ],
      [
        'a non-JSON content type',
        { method: 'POST', headers: { authorization, 'content-type': 'text/plain' }, body: '1 2 3' },
        415,
      ],
    ];
    for (const [what, init, status] of cases) {
      const r = await run(w, s.app.request('/v1/compute', init));
      expect(r.status, what).toBe(status);
      expect(typeof (await json(r)).message, what).toBe('string');
    }
  });
});

describe('llm-summary seller', () => {
  const text =
    'Lightning payments settle in seconds. Agents can pay for data with Lightning. ' +
    'The weather was nice yesterday. Agents that pay per call need no accounts. ' +
    'Macaroons carry caveats that narrow what a token may do. Lightning invoices name their payee.';

  it('summarizes with the extractive fallback when no model is configured, deterministically', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'llm-summary',
      quality: 1,
      latency: { kind: 'fixed', ms: 0 },
      tiers: [{ kind: 'bundle', calls: 2 }],
    });
    const { macaroon, invoice } = challengeOf(await s.app.request('/v1/summarize'));
    const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
    const one = await json(
      await run(w, s.app.request('/v1/summarize', post({ text, maxSentences: 2 }, { authorization }))),
    );
    const two = await json(
      await run(w, s.app.request('/v1/summarize', post({ text, maxSentences: 2 }, { authorization }))),
    );
    expect(one).toEqual(two);
    expect(one.model).toBe('extractive-v1');
    expect(one.summary).toBe(await extractiveSummarizer.summarize(text, 2));
    expect((one.summary as string).match(/[.!?]/g)).toHaveLength(2);
    expect(one.summary).not.toMatch(/weather/);
  });
});

describe('tiers', () => {
  it('sells a bundle and a time pass, picked with the L402-Tier header', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'data-feed',
      latency: { kind: 'fixed', ms: 0 },
      price: { kind: 'fixed', msat: 1_000 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 3 }, { kind: 'pass', durationSec: 600 }],
    });
    const listing = s.listing('http://seller.test');
    expect(listing.tiers.map((t) => [t.kind, t.priceMsat])).toEqual([
      ['single', 1_000],
      ['bundle', 2_400],
      ['pass', 10_000],
    ]);
    const bundleQuote = await s.app.request('/v1/anomalies', { headers: { 'L402-Tier': '1' } });
    expect(decodeInvoice(challengeOf(bundleQuote).invoice).amountMsat).toBe(2_400);
    const bundle = await buy(w, inMemory(s.app), '/v1/anomalies', {
      init: { headers: { 'L402-Tier': '1' } },
    });
    for (let i = 0; i < 2; i++)
      expect(
        (await s.app.request('/v1/anomalies', { headers: { authorization: bundle.authorization } })).status,
      ).toBe(200);
    expect(
      (await s.app.request('/v1/anomalies', { headers: { authorization: bundle.authorization } })).status,
    ).toBe(402);

    const pass = await buy(w, inMemory(s.app), '/v1/anomalies', { init: { headers: { 'L402-Tier': '2' } } });
    expect(Macaroon.fromBase64(pass.challenge.macaroon).caveats).toContain(
      `data-feed_valid_until=${Math.floor(w.clock.now() / 1000) + 600}`,
    );
    for (let i = 0; i < 20; i++)
      expect(
        (await s.app.request('/v1/anomalies', { headers: { authorization: pass.authorization } })).status,
      ).toBe(200);
    await w.clock.advance(601_000);
    expect(
      (await json(await s.app.request('/v1/anomalies', { headers: { authorization: pass.authorization } })))
        .reason,
    ).toBe('expired');
    expect((await s.app.request('/v1/anomalies', { headers: { 'L402-Tier': '7' } })).status).toBe(400);
  });

  it('raises every tier with load under dynamic pricing', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'compute',
      latency: { kind: 'fixed', ms: 1_000 },
      price: { kind: 'dynamic', baseMsat: 1_000, perLoadMsat: 500, minMsat: 1_000, maxMsat: 1_800 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
    });
    const price = async (tier: string) =>
      decodeInvoice(
        challengeOf(await s.app.request('/v1/compute', { headers: { 'L402-Tier': tier } })).invoice,
      ).amountMsat;
    expect(await price('0')).toBe(1_000);
    const { macaroon, invoice } = challengeOf(
      await s.app.request('/v1/compute', { headers: { 'L402-Tier': '1' } }),
    );
    const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
    const jobs = [1, 2, 3].map(() => s.app.request('/v1/compute', post({ numbers: [1] }, { authorization })));
    await settle();
    expect(await price('0')).toBe(1_800); // 1000 + 3×500 = 2500, capped at maxMsat
    expect(await price('1')).toBe(14_400); // the bundle (8000) scaled by 1800/1000
    await w.clock.runUntilIdle();
    await Promise.all(jobs);
    expect(await price('0')).toBe(1_000);
  });
});

describe('failures and configuration', () => {
  it('fails a seeded share of paid calls with 500 (7 of 20 at failure rate 0.5, the same calls every time), gives each failed call back and says so in L402-Calls-Remaining', async () => {
    const w = makeWorld();
    const config: SellerConfigInput = {
      archetype: 'data-feed',
      failureRate: 0.5,
      latency: { kind: 'fixed', ms: 0 },
      tiers: [{ kind: 'bundle', calls: 100 }],
    };
    const pattern = async () => {
      const s = await seller(w, config);
      const { authorization } = await buy(w, inMemory(s.app), '/v1/anomalies');
      // Each status, and the calls left after it, as the answer's L402-Calls-Remaining says.
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await s.app.request('/v1/anomalies', { headers: { authorization } });
        answers.push(`${r.status}, ${r.headers.get('L402-Calls-Remaining')} left`);
      }
      return answers;
    };
    const first = await pattern();
    // The purchase used one of the 100 calls; 11 served calls leave 88, the 7 failed ones leave 88 too.
    expect(first).toEqual([
      ...Array.from({ length: 11 }, (_, i) => `200, ${98 - i} left`),
      ...Array<string>(7).fill('500, 88 left'),
      '200, 87 left',
      '200, 86 left',
    ]);
    expect(await pattern()).toEqual(first);
  });

  it.each([
    ['an unknown archetype', { archetype: 'oracle' }, /archetype/],
    ['a float price', { archetype: 'compute', price: { kind: 'fixed', msat: 1.5 } }, /price\.msat/],
    [
      'a dynamic price whose base is above its max',
      {
        archetype: 'compute',
        price: { kind: 'dynamic', baseMsat: 5, perLoadMsat: 1, minMsat: 1, maxMsat: 4 },
      },
      /minMsat <= baseMsat <= maxMsat/,
    ],
    ['a one-call bundle', { archetype: 'compute', tiers: [{ kind: 'bundle', calls: 1 }] }, /calls/],
    ['a failure rate above 1', { archetype: 'compute', failureRate: 1.5 }, /failureRate/],
    ['a misspelt option', { archetype: 'compute', capcity: 3 }, /capcity/],
  ])('refuses a config with %s, naming the field', async (_what, config, message) => {
    const w = makeWorld();
    const err = await createSeller(config as SellerConfigInput, {
      node: w.seller,
      clock: w.clock,
      rng: w.rng,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_seller_config');
    expect((err as Error).message).toMatch(message);
  });

  it('serves a manifest that matches its listing', async () => {
    const w = makeWorld();
    const s = await seller(w, {
      archetype: 'compute',
      tiers: [{ kind: 'single' }, { kind: 'pass', durationSec: 3600 }],
    });
    const res = await s.app.request('http://seller.test/.well-known/l402.json');
    expect(res.status).toBe(200);
    const m = await json(res);
    expect(m).toEqual(s.manifest('http://seller.test'));
    expect(m.provider).toEqual({ name: 'compute', uri: 'http://seller.test', node_pubkey: w.seller.pubkey });
    const svc = (
      m.services as { tiers: { price_msat: number; kind: string }[]; capabilities: string[] }[]
    )[0]!;
    expect(svc.tiers.map((t) => [t.kind, t.price_msat])).toEqual(
      s.listing('http://seller.test').tiers.map((t) => [t.kind, t.priceMsat]),
    );
    expect(svc.capabilities).toEqual(['compute:stats']);
  });
});
