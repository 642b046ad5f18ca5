import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { attenuate, caveats, formatAuthorization } from '../../infra/l402/index.js';
import type { L402PaywallOptions, L402Variables } from '../../services/paywall/index.js';
import { MemoryQuotaStore, l402Paywall } from '../../services/paywall/index.js';
import { buy, inMemory, json, makeWorld, type World } from './helpers.js';

/** A weather route whose handler does its (costly) work, counted in `runs`, then always fails. */
function failingRoute(
  w: World,
  extra: Partial<L402PaywallOptions> = {},
  fail: 'answers 503' | 'throws' = 'answers 503',
) {
  const logs: { msg: string; quota?: string; givenBack?: number }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const route = { runs: 0, logs, app: new Hono<{ Variables: L402Variables }>() };
  const paywall = l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, logger, ...extra });
  // A throw reaches the paywall as `c.error`, answered 500 here without Hono's console line.
  route.app.onError((_err, c) => c.json({ error: 'internal' }, 500));
  route.app.get('/v1/data', paywall, (c) => {
    route.runs++;
    if (fail === 'throws') throw new Error('the model replied nothing');
    return c.json({ error: 'model_unavailable' }, 503);
  });
  return route;
}

/** One call with `authorization`: its status and its `L402-Calls-Remaining`. */
async function call(app: Hono<{ Variables: L402Variables }>, authorization: string) {
  const res = await app.request('/v1/data', { headers: { authorization } });
  return { res, seen: `${res.status} ${res.headers.get('L402-Calls-Remaining')}` };
}

describe('a paid call the handler fails is given back a bounded number of times', () => {
  it('by default a 3-call token gets 3 calls back: the handler runs 6 times, then quota_exhausted', async () => {
    const w = makeWorld();
    const route = failingRoute(w, { maxCalls: 3 });
    const { authorization, res } = await buy(w, inMemory(route.app), '/v1/data');
    const seen = [`${res.status} ${res.headers.get('L402-Calls-Remaining')}`];
    for (let i = 0; i < 5; i++) seen.push((await call(route.app, authorization)).seen);
    // Three 5xx given back (3 left each time), then every 5xx uses its call.
    expect(seen).toEqual(['503 3', '503 3', '503 3', '503 2', '503 1', '503 0']);
    const over = (await call(route.app, authorization)).res;
    expect(over.status).toBe(402);
    expect(await json(over)).toMatchObject({
      reason: 'quota_exhausted',
      message: 'all 3 calls of this token are used',
    });
    expect(route.runs).toBe(6);
    expect(route.logs.map((l) => [l.msg.replace(/token \w+…/, 'token …'), l.givenBack])).toEqual(
      Array(3).fill([
        'a failed call of token … is counted: its quota has had 3 calls given back, the most it gets',
        3,
      ]),
    );
  });

  it('with maxCallsGivenBack: 1 a 2-call token whose handler throws gets 1 call back: 3 runs', async () => {
    const w = makeWorld();
    const route = failingRoute(w, { maxCalls: 2, maxCallsGivenBack: 1 }, 'throws');
    const { authorization, res } = await buy(w, inMemory(route.app), '/v1/data');
    const seen = [`${res.status} ${res.headers.get('L402-Calls-Remaining')}`];
    for (let i = 0; i < 3; i++) seen.push((await call(route.app, authorization)).seen);
    expect(seen).toEqual(['500 2', '500 1', '500 0', '402 null']);
    expect(route.runs).toBe(3);
  });

  it('fresh attenuated copies do not reset the bound: 1-call copies of a 3-call bundle get 3 calls back in all, 6 runs, and a 4th copy is refused', async () => {
    const w = makeWorld();
    const route = failingRoute(w, { maxCalls: 3 });
    const { authorization, res } = await buy(w, inMemory(route.app), '/v1/data');
    // The purchase's own call was given back (the bundle's first of 3); each copy below is new.
    expect(`${res.status} ${res.headers.get('L402-Calls-Remaining')}`).toBe('503 3');
    const [macaroon, preimage] = authorization.slice('L402 '.length).split(':') as [string, string];
    const nowSec = Math.floor(w.clock.now() / 1000);
    // A different valid_until before the copy's max_calls: a counter of its own every time.
    const copies = [0, 1, 2, 3].map((i) =>
      formatAuthorization({
        macaroon: attenuate(macaroon, [
          caveats.validUntil('weather', nowSec + 3600 + i),
          caveats.maxCalls('weather', 1),
        ]),
        preimage,
      }),
    );
    const seen: string[] = [];
    for (const copy of copies) seen.push((await call(route.app, copy)).seen);
    // Each copy took its call from the bundle on its first call; given back, the copy holds it again.
    for (const copy of copies) seen.push((await call(route.app, copy)).seen);
    // The bundle's 3 give-backs run out at the third copy: its call and the later ones stay counted.
    expect(seen).toEqual(['503 1', '503 1', '503 0', '402 null', '503 0', '503 0', '402 null', '402 null']);
    expect(route.runs).toBe(6);
  });

  it('counts calls given back in the quota store: two paywalls sharing one store give a 1-call token 1 call back between them', async () => {
    const w = makeWorld();
    const quotaStore = new MemoryQuotaStore();
    const a = failingRoute(w, { maxCalls: 1, quotaStore });
    const b = failingRoute(w, { maxCalls: 1, quotaStore });
    const { authorization, res } = await buy(w, inMemory(a.app), '/v1/data');
    expect(`${res.status} ${res.headers.get('L402-Calls-Remaining')}`).toBe('503 1');
    expect((await call(b.app, authorization)).seen).toBe('503 0');
    expect((await call(a.app, authorization)).seen).toBe('402 null');
    expect([a.runs, b.runs]).toEqual([1, 1]);
  });
});

describe('the give-back options are checked when the paywall is built', () => {
  const w = makeWorld();
  const ok: L402PaywallOptions = { ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 3 };

  it.each<[string, Partial<L402PaywallOptions>, string]>([
    [
      'maxCallsGivenBack 0',
      { maxCallsGivenBack: 0 },
      'options.maxCallsGivenBack must be a positive integer, got 0 (to give no call back, set releaseQuotaOnServerError: false)',
    ],
    [
      'a fractional maxCallsGivenBack',
      { maxCallsGivenBack: 1.5 },
      'options.maxCallsGivenBack must be a positive integer, got 1.5 (to give no call back, set releaseQuotaOnServerError: false)',
    ],
    [
      'maxCallsGivenBack with releaseQuotaOnServerError: false',
      { maxCallsGivenBack: 2, releaseQuotaOnServerError: false },
      'options.maxCallsGivenBack needs releaseQuotaOnServerError: true; with false no call is given back',
    ],
    [
      'holdRefundRate without pay-on-success',
      { holdRefundRate: { calls: 10, perMs: 60_000 } },
      'options.holdRefundRate needs payOnSuccess: true',
    ],
    [
      'a holdRefundRate of zero calls',
      { payOnSuccess: true, holdRefundRate: { calls: 0, perMs: 60_000 } },
      'options.holdRefundRate needs calls, a positive integer, and perMs, a finite number of ms of at least 1 (calls per perMs ms), got calls 0, perMs 60000',
    ],
    [
      'a holdRefundRate over less than a millisecond',
      { payOnSuccess: true, holdRefundRate: { calls: 1, perMs: 5e-321 } },
      'options.holdRefundRate needs calls, a positive integer, and perMs, a finite number of ms of at least 1 (calls per perMs ms), got calls 1, perMs 5e-321',
    ],
  ])('refuses %s with invalid_paywall_options naming it', (_what, patch, message) => {
    let thrown: unknown;
    try {
      l402Paywall({ ...ok, ...patch });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LabError);
    expect({ code: (thrown as LabError).code, message: (thrown as LabError).message }).toEqual({
      code: 'invalid_paywall_options',
      message,
    });
  });
});
