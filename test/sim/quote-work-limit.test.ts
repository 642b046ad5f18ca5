/**
 * A run's quotes are bounded as its calls are (sim/scenario/quote-work.ts, `MAX_RUN_QUOTES`):
 * each task quotes every seller its search returns, up to registry.searchLimit, and the run-work
 * limit counted calls only, so 1 buyer's 299 one-call tasks against 1,000 sellers validated as
 * 299 calls and took 4.5 min (299,000 quotes). Now the quotes are counted and a run expected to
 * ask for more than 10,000,000 is refused, naming the search limit that fits.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RUN_QUOTES } from '../../sim/scenario/limits.js';
import { quoteWork } from '../../sim/scenario/quote-work.js';
import { expectedWork } from '../../sim/scenario/run-work.js';
import { issueLines, minimalMarket, validScenario } from './scenario-fixture.js';

/** 1,000 sellers of anomalies:read, all found by the buyer's search of 1,000; a task every second. */
const market = (overrides: Record<string, unknown> = {}) =>
  minimalMarket('quote-work', {
    'sellers[0].count': 1000,
    'registry.searchLimit': 1000,
    'buyers[0].arrivals': { process: 'fixed', everySec: 1 },
    ...overrides,
  });

describe('a run’s expected quotes', () => {
  it('1 buyer’s 299 one-call tasks against 1,000 sellers are 299,000 quotes, work beside their 299 calls', () => {
    const s = validScenario(market({ durationSec: 300 }));
    expect(quoteWork(s)).toEqual([
      {
        path: 'buyers[0].arrivals',
        quotes: 299_000,
        text: 'buyers[0] "shopper": 1 buyer × about 299 tasks each × 1,000 sellers quoted',
      },
    ]);
    expect(expectedWork(s)).toBe(299_299);
  });

  it('counts only the sellers a search can return: at most searchLimit, of the capability, at or under the task’s value', () => {
    const dear = { name: 'dear', count: 50, archetype: 'data-feed', price: { kind: 'fixed', msat: 9000 } };
    const other = { name: 'other', count: 50, archetype: 'compute', price: { kind: 'fixed', msat: 1000 } };
    const s = validScenario(
      market({ durationSec: 11, 'sellers[0].count': 30, 'sellers[1]': dear, 'sellers[2]': other }),
    );
    // 10 tasks × 30 sellers: the dear ones ask more than the task's 8,000 msat, the others sell compute.
    expect(quoteWork(s).map((p) => p.quotes)).toEqual([300]);
    const limited = validScenario(market({ durationSec: 11, 'registry.searchLimit': 7 }));
    expect(quoteWork(limited).map((p) => p.quotes)).toEqual([70]);
  });

  it('counts a seller’s upstream purchases: each call it sells quotes the upstream sellers its search returns', () => {
    const chain = {
      name: 'chain',
      archetype: 'compute',
      price: { kind: 'fixed', msat: 5000 },
      upstream: [{ capability: 'anomalies:read', maxPriceMsat: 3000 }],
      balanceMsat: 700_000,
    };
    const s = validScenario(
      market({
        durationSec: 11,
        'sellers[0].count': 20,
        'sellers[1]': chain,
        'buyers[0].tasks[0]': {
          capability: 'compute:stats',
          calls: 2,
          value: { dist: 'fixed', msat: 12_000 },
        },
      }),
    );
    // 10 tasks quote the one chain seller; its 20 calls sold each quote the 20 data feeds.
    expect(quoteWork(s)).toEqual([
      {
        path: 'buyers[0].arrivals',
        quotes: 10,
        text: 'buyers[0] "shopper": 1 buyer × about 10 tasks each × 1 seller quoted',
      },
      {
        path: 'sellers[1].upstream',
        quotes: 400,
        text: 'sellers[1] "chain": up to about 20 compute:stats calls sold × 20 sellers quoted upstream',
      },
    ]);
  });
});

describe('a run expected to ask for more than 10,000,000 quotes is refused', () => {
  it('10,000 tasks × 1,000 sellers quoted is valid; one task more is refused at registry.searchLimit, naming what fits', () => {
    expect(MAX_RUN_QUOTES).toBe(10_000_000);
    // A task every second: 10,000 before 10,001 s, 10,001 before 10,002 s; 10,001 calls in all.
    expect(issueLines(market({ durationSec: 10_001 }))).toEqual([]);
    expect(issueLines(market({ durationSec: 10_002 }))).toEqual([
      'registry.searchLimit: this run asks for about 10,001,000 quotes in its 10,002 s ' +
        '(buyers[0] "shopper": 1 buyer × about 10,001 tasks each × 1,000 sellers quoted), ' +
        'more than the 10,000,000 one run asks for: each task quotes every seller its search returns, ' +
        'up to registry.searchLimit (1,000), and each quote (a 402 challenge with a signed invoice) is simulated in turn like a call, ' +
        "so 10,000,000 take a few hours of wall time; lower registry.searchLimit to at most 999, or durationSec, or these groups' " +
        'arrival rates (ratePerMin, a longer everySec) or counts',
    ]);
  });
});
