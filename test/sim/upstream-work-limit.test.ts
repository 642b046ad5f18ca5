/**
 * A seller that buys upstream makes `upstream[].calls` calls for every call it sells, and those
 * calls were neither bounded nor counted in a run's work: `calls: 1000000000` validated, and a
 * market whose upstream calls were 100 times its buyers' validated at 10,100,000 calls. Two sellers
 * buying each other's capability validated and made 363 purchases of one buyer's call. `drainSec`
 * had no maximum (1e300 validated). Now each is bounded at its field or counted with the rest.
 */
import { describe, expect, it } from 'vitest';
import { minimalMarket, issueLines } from './scenario-fixture.js';

const RUN_TIME =
  'each is simulated in turn, a few hundred to a few thousand a second, so 10,000,000 take from under an hour to several hours of wall time';
const LOWER =
  "lower durationSec, or these groups' arrival rates (ratePerMin, a longer everySec), counts or calls, or the sellers' upstream calls (upstream[].calls)";

/** A compute seller "chain" at 5,000 msat buying `calls` calls of the feed's anomalies:read for each call it sells. */
const chainSeller = (calls: number) => ({
  name: 'chain',
  archetype: 'compute',
  price: { kind: 'fixed', msat: 5000 },
  upstream: [{ capability: 'anomalies:read', calls, maxPriceMsat: calls * 2000 }],
  balanceMsat: 1_000_000,
});

/** The minimal market whose buyers "shopper" buy compute:stats from "chain", with `overrides`. */
const chained = (calls: number, overrides: Record<string, unknown> = {}) =>
  minimalMarket('upstream-work', {
    'sellers[1]': chainSeller(calls),
    'buyers[0].tasks[0].capability': 'compute:stats',
    'buyers[0].tasks[0].value': { dist: 'fixed', msat: 300_000 },
    'buyers[0].budgetMsat': 1_000_000,
    ...overrides,
  });

describe('a seller’s upstream calls are bounded at the field', () => {
  it('sellers[1].upstream[0].calls: 1,000,000,000 is refused naming the limit; 10,000,000 is valid', () => {
    expect(issueLines(chained(1), { 'sellers[1].upstream[0].calls': 1_000_000_000 })).toEqual([
      'sellers[1].upstream[0].calls: expected at most 10,000,000: one run makes at most 10,000,000 calls, each simulated in turn',
    ]);
    expect(issueLines(chained(10_000_000, { 'buyers[0].arrivals.ratePerMin': 0.01 }))).toEqual([]);
  });

  it('drainSec: 1e300 and 31,536,001 are refused naming the limit; 31,536,000 (365 days) is valid', () => {
    const message =
      'drainSec: expected at most 31,536,000 s (365 days): tasks in flight get at most a year of market time to finish, as durationSec covers at most a year';
    expect(issueLines(minimalMarket('drain', { drainSec: 1e300 }))).toEqual([message]);
    expect(issueLines(minimalMarket('drain', { drainSec: 31_536_001 }))).toEqual([message]);
    expect(issueLines(minimalMarket('drain', { drainSec: 31_536_000 }))).toEqual([]);
  });
});

describe('a seller’s upstream calls count in a run’s 10,000,000 calls', () => {
  // 10 buyers × 600 a minute × 1,000 s = 100,000 compute:stats calls, each sold by "chain".
  const busy = { 'buyers[0].count': 10, 'buyers[0].arrivals.ratePerMin': 600, durationSec: 1000 };

  it('100,000 calls sold × 99 upstream calls each is 10,000,000 and valid; × 100 is refused at sellers[1].upstream', () => {
    expect(issueLines(chained(99, busy))).toEqual([]);
    expect(issueLines(chained(100, busy))).toEqual([
      'sellers[1].upstream: this run makes about 10,100,000 calls in its 1,000 s ' +
        '(sellers[1] "chain": up to about 100,000 compute:stats calls sold × 100 upstream calls each; ' +
        'buyers[0] "shopper": 10 buyers × about 10,000 tasks each × 1 call), ' +
        `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}`,
    ]);
  });

  it('counts a chain down its links, and each capability as sold by the seller that buys the most for it', () => {
    // 100 buyers × 6,000 a minute × 120 s = 1,200,000 compute:stats calls. The heavier compute
    // seller, "chain", buys 2 text:summarize calls for each; "summary" buys 3 anomalies:read for
    // each of those 2,400,000: 1,200,000 + 2,400,000 + 7,200,000 = 10,800,000.
    const doc = chained(2, {
      'buyers[0].count': 100,
      'buyers[0].arrivals.ratePerMin': 6000,
      durationSec: 120,
      'sellers[1].upstream[0]': { capability: 'text:summarize', calls: 2, maxPriceMsat: 20_000 },
      'sellers[2]': {
        name: 'summary',
        archetype: 'llm-summary',
        price: { kind: 'fixed', msat: 6000 },
        upstream: [{ capability: 'anomalies:read', calls: 3, maxPriceMsat: 6000 }],
        balanceMsat: 1_000_000,
      },
      'sellers[3]': { name: 'plain', archetype: 'compute', price: { kind: 'fixed', msat: 4000 } },
    });
    expect(issueLines(doc)).toEqual([
      'sellers[2].upstream: this run makes about 10,800,000 calls in its 120 s ' +
        '(sellers[2] "summary": up to about 2,400,000 text:summarize calls sold × 3 upstream calls each; ' +
        'sellers[1] "chain": up to about 1,200,000 compute:stats calls sold × 2 upstream calls each; ' +
        'buyers[0] "shopper": 100 buyers × about 12,000 tasks each × 1 call), ' +
        `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}`,
    ]);
  });

  it('refuses two sellers buying each other’s capability, naming the round', () => {
    const doc = chained(1, {
      'sellers[2]': {
        name: 'summary',
        archetype: 'llm-summary',
        price: { kind: 'fixed', msat: 6000 },
        upstream: [{ capability: 'compute:stats', maxPriceMsat: 6000 }],
        balanceMsat: 1_000_000,
      },
      'sellers[1].upstream[1]': { capability: 'text:summarize', maxPriceMsat: 6000 },
    });
    expect(issueLines(doc)).toEqual([
      'sellers[1].upstream[1].capability: upstream purchases go round ' +
        '(sellers[1] "chain" sells compute:stats and buys text:summarize; sellers[2] "summary" sells text:summarize and buys compute:stats): ' +
        'one call sold would set off purchases without end, each seller buying again for the call it is paid for; ' +
        'remove one of these upstream entries',
    ]);
  });
});
