/**
 * A scenario seller's `maxCallsGivenBack` and `holdRefundRate` reach its paywall: the seller is built
 * from a validated scenario as the market builds it (`buildSellers`, seeded), and a payer on the
 * market's network buys from it over the market's HTTP; what a failed call gives back changes exactly.
 * The scenario validates both fields.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { silentLogger } from '../../infra/log.js';
import { challengeOf, HOLD_REQUEST, holdRetryHeaders, json } from '../paywall/helpers.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { Recorder } from '../../sim/metrics/recorder.js';
import { RevenueTracker, buildSellers } from '../../sim/market/sellers.js';
import { issueLines, minimalMarket, validScenario } from './scenario-fixture.js';

/**
 * The minimal market's seller "feed" (a data feed at 2,000 msat) failing every call, with `extra`
 * (`--set` paths), built as the market builds it (seed 1), and a funded payer on its network:
 * `get(headers)` sends a request to its paid route, `pay(invoice)` pays and runs the clock.
 */
async function failingSeller(extra: Record<string, unknown>) {
  const scenario = validScenario(minimalMarket('give-back', { 'sellers[0].failureRate': 1, ...extra }));
  const world = new EmbeddedWorld(scenario.network, createRng(1));
  const info = { scenario: 'give-back', description: '', seed: 1, backend: 'embedded' as const };
  const recorder = new Recorder({
    ...info,
    scenarioHash: '',
    durationMs: 1000,
    sellerCosts: {},
    staticWarnings: [],
  });
  const revenue = new RevenueTracker(recorder);
  const [feed] = await buildSellers(scenario.sellers, world, world.rng, revenue, recorder, silentLogger);
  const payer = await world.node('payer', 'buyer', 1_000_000);
  const url = new URL(feed!.seller.path, feed!.baseUrl).toString();
  return {
    /** The answer to one request, the clock run until it comes. */
    async get(headers: Record<string, string> = {}): Promise<Response> {
      const pending = world.fetch(url, { headers });
      await world.clock.runUntilIdle();
      return pending;
    },
    /** The payment's end (its preimage when it succeeded), the clock run until it resolves. */
    async pay(invoice: string, andThen?: Promise<unknown>) {
      const paying = payer.pay(invoice);
      await world.clock.runUntilIdle();
      await andThen;
      return paying;
    },
    world,
    url,
  };
}

/** Buys one 2-call bundle and calls with it until refused: each answer's status and L402-Calls-Remaining. */
async function callsUntilRefused(extra: Record<string, unknown> = {}): Promise<string[]> {
  const s = await failingSeller({ 'sellers[0].tiers': [{ kind: 'bundle', calls: 2 }], ...extra });
  const { macaroon, invoice } = challengeOf(await s.get());
  const authorization = `L402 ${macaroon}:${(await s.pay(invoice)).preimage}`;
  const answers: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await s.get({ authorization });
    const remaining = res.headers.get('l402-calls-remaining');
    if (res.status !== 402) answers.push(`${res.status} ${remaining}`);
    else return [...answers, `402 ${(await json(res)).reason as string}`];
  }
  return answers;
}

describe('sellers[].maxCallsGivenBack', () => {
  it('a seller failing every call runs a 2-call bundle token 4 times by default, 3 with maxCallsGivenBack 1, twice with 0, then 402 quota_exhausted', async () => {
    expect(await callsUntilRefused()).toEqual(['500 2', '500 2', '500 1', '500 0', '402 quota_exhausted']);
    expect(await callsUntilRefused({ 'sellers[0].maxCallsGivenBack': 1 })).toEqual([
      '500 2',
      '500 1',
      '500 0',
      '402 quota_exhausted',
    ]);
    expect(await callsUntilRefused({ 'sellers[0].maxCallsGivenBack': 0 })).toEqual([
      '500 1',
      '500 0',
      '402 quota_exhausted',
    ]);
  }, 60_000);
});

/** `n` pay-on-success purchases in a row: the retry's status and the payment's end, or the hold request's refusal. */
async function payOnSuccessPurchases(n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const s = await failingSeller({ 'sellers[0].payOnSuccess': true, ...extra });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ask = await s.get(HOLD_REQUEST);
    if (ask.status !== 402) {
      out.push(`${ask.status} ${(await json(ask)).error as string}`);
      continue;
    }
    const { macaroon, invoice } = challengeOf(ask);
    const retry = s.world.fetch(s.url, { headers: holdRetryHeaders(macaroon) });
    const payment = await s.pay(invoice, retry);
    out.push(`${(await retry).status} ${payment.status}`);
  }
  return out;
}

describe('sellers[].holdRefundRate', () => {
  it('a seller failing every pay-on-success call refunds 4 of 4 by default (60 a minute); with holdRefundRate { calls: 2, perSec: 3600 } 2, then refuses hold invoices: 429 hold_refunds_limited', async () => {
    expect(await payOnSuccessPurchases(4)).toEqual(Array(4).fill('500 failed'));
    expect(
      await payOnSuccessPurchases(4, { 'sellers[0].holdRefundRate': { calls: 2, perSec: 3600 } }),
    ).toEqual(['500 failed', '500 failed', '429 hold_refunds_limited', '429 hold_refunds_limited']);
  }, 60_000);
});

describe('scenario validation of maxCallsGivenBack and holdRefundRate', () => {
  const issues = (o: Record<string, unknown>) => issueLines(minimalMarket('checks'), o);

  it('refuses values out of range, naming the field', () => {
    expect(
      issues({
        'sellers[0].maxCallsGivenBack': -1,
        'sellers[0].payOnSuccess': true,
        'sellers[0].holdRefundRate': { calls: 0, perSec: 0 },
      }),
    ).toEqual([
      'sellers[0].maxCallsGivenBack: expected at least 0',
      'sellers[0].holdRefundRate.calls: expected more than 0',
      'sellers[0].holdRefundRate.perSec: expected at least 0.001 s (1 ms): the clock counts whole milliseconds',
    ]);
    expect(issues({ 'sellers[0].maxCallsGivenBack': 1.5 })).toEqual([
      'sellers[0].maxCallsGivenBack: expected an integer, got 1.5',
    ]);
  });

  it('refuses holdRefundRate without payOnSuccess, and maxCallsGivenBack on a no-delivery seller', () => {
    expect(issues({ 'sellers[0].holdRefundRate': { calls: 2, perSec: 60 } })).toEqual([
      'sellers[0].holdRefundRate: holdRefundRate needs payOnSuccess: true (it bounds refunds of pay-on-success calls)',
    ]);
    expect(
      issues({ 'sellers[0].maxCallsGivenBack': 2, 'sellers[0].adversarial': { mode: 'no-delivery' } }),
    ).toEqual([
      'sellers[0].maxCallsGivenBack: a no-delivery seller gives no call back; drop maxCallsGivenBack or the adversarial mode',
    ]);
  });
});
