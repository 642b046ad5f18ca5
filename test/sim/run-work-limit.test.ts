/**
 * The work of one run is bounded (sim/scenario/limits.ts, run-work.ts): quickstart with
 * `durationSec: 1000000000` validated and would have taken about 35 days of wall time, and
 * `ratePerMin: 1.0e+308` validated and arrived once a millisecond (the gap's clamp) with
 * hundreds of thousands of tasks in flight. Now the market time, the arrival gaps and a task's
 * calls are refused at their fields, and a run expected to make more than 10,000,000 calls at
 * the field of its busiest group.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { checkRunWork, expectedArrivals } from '../../sim/scenario/run-work.js';
import { MAX_RUN_CALLS } from '../../sim/scenario/limits.js';
import { brokerGroup, issueLines, minimalMarket, validScenario } from './scenario-fixture.js';

/** The minimal market (a data feed, one buyer "shopper") with `overrides`. */
const market = (overrides: Record<string, unknown> = {}) => minimalMarket('run-work', overrides);

const RUN_TIME =
  'each is simulated in turn, a few hundred to a few thousand a second, so 10,000,000 take from under an hour to several hours of wall time';
const LOWER =
  "lower durationSec, or these groups' arrival rates (ratePerMin, a longer everySec), counts or calls";

describe('fields that set a run’s work are bounded at the field', () => {
  // The limit itself is valid (durationSec at a rate that keeps the run's calls within theirs).
  const slow = { 'buyers[0].arrivals.ratePerMin': 0.01 };
  it.each([
    [
      'durationSec',
      1_000_000_000,
      31_536_000,
      'expected at most 31,536,000 s (365 days): one run covers at most a year of market time, the longest lifetime of a token a seller sells',
    ],
    [
      'buyers[0].arrivals.ratePerMin',
      1.0e308,
      6000,
      "expected at most 6,000 a minute (a mean gap of 10 ms): arrival gaps are drawn in whole milliseconds, at least 1, which would slow a faster rate; for more arrivals raise the group's count",
    ],
    [
      'buyers[0].tasks[0].weight',
      1e308,
      1_000_000,
      "expected at most 1,000,000: weights are relative, a task type's share of its group's sum",
    ],
    [
      'buyers[0].tasks[0].calls',
      1_000_000_000,
      10_000_000,
      'expected at most 10,000,000: one run makes at most 10,000,000 calls, each simulated in turn',
    ],
  ])('%s: %s is refused naming the limit; %s is valid', (path, over, limit, message) => {
    expect(issueLines(market(slow), { [path]: over })).toEqual([`${path}: ${message}`]);
    expect(issueLines(market(slow), { [path]: limit })).toEqual([]);
  });

  it.each([0, 1e-9, 0.0009])(
    'a fixed arrival every %s s is refused (below the clock’s 1 ms step); every 0.001 s is valid',
    (everySec) => {
      expect(issueLines(market(), { 'buyers[0].arrivals': { process: 'fixed', everySec } })).toEqual([
        "buyers[0].arrivals.everySec: expected at least 0.001 s (1 ms): arrivals come in whole milliseconds; for more arrivals raise the group's count",
      ]);
      expect(issueLines(market(), { 'buyers[0].arrivals': { process: 'fixed', everySec: 0.001 } })).toEqual(
        [],
      );
    },
  );
});

describe('a run expected to make more than 10,000,000 calls is refused', () => {
  // 100 buyers × 6,000 a minute × 1,000 s = 10,000,000 one-call tasks.
  const atLimit = { 'buyers[0].count': 100, 'buyers[0].arrivals.ratePerMin': 6000, durationSec: 1000 };

  it('10,000,000 expected calls is valid; 1,000.001 s of it is one issue at the busiest group', () => {
    expect(MAX_RUN_CALLS).toBe(10_000_000);
    expect(issueLines(market(atLimit))).toEqual([]);
    expect(issueLines(market({ ...atLimit, durationSec: 1000.001 }))).toEqual([
      'buyers[0].arrivals: this run makes about 10,000,010 calls in its 1,000.001 s ' +
        '(buyers[0] "shopper": 100 buyers × about 100,000 tasks each × 1 call), ' +
        `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}`,
    ]);
  });

  it('quickstart for a year: 47,304,000 calls, both buyer groups named, the busiest first', () => {
    const doc = minimalMarket('year', {
      durationSec: 31_536_000,
      'buyers[0].count': 3,
      'buyers[0].arrivals.ratePerMin': 6,
      'buyers[0].tasks[0].calls': 3,
      'buyers[1]': {
        name: 'quality',
        count: 2,
        policy: { name: 'allow_all' },
        budgetMsat: 100_000,
        arrivals: { process: 'poisson', ratePerMin: 6 },
        tasks: [{ capability: 'anomalies:read', calls: 3, value: { dist: 'fixed', msat: 8000 } }],
      },
    });
    expect(issueLines(doc)).toEqual([
      'buyers[0].arrivals: this run makes about 47,304,000 calls in its 31,536,000 s ' +
        '(buyers[0] "shopper": 3 buyers × about 3,153,600 tasks each × 3 calls; ' +
        'buyers[1] "quality": 2 buyers × about 3,153,600 tasks each × 3 calls), ' +
        `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}`,
    ]);
  });

  it('counts weighted task calls, fixed arrivals, repricing steps and sub-agents’ slices, the busiest group first and at its field', () => {
    const doc = market({
      durationSec: 100_000,
      'buyers[0].arrivals': { process: 'fixed', everySec: 0.01 },
      'buyers[0].tasks': [
        { capability: 'anomalies:read', weight: 3, calls: 1, value: { dist: 'fixed', msat: 8000 } },
        { capability: 'anomalies:read', weight: 1, calls: 3, value: { dist: 'fixed', msat: 8000 } },
      ],
      'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
      'sellers[0].pricing': { strategy: 'undercut', everySec: 0.05, stepMsat: 10 },
      resellers: [
        {
          ...brokerGroup({ balanceMsat: 2_000_000, subAgents: { count: 4, budgetMsat: 50_000 } }),
          sliceCalls: 2,
        },
      ],
    });
    expect(issueLines(doc)).toEqual([
      'buyers[0].arrivals: this run makes about 17,013,332 calls and repricing steps in its 100,000 s ' +
        '(buyers[0] "shopper": 1 buyer × about 9,999,999 tasks each × 1.5 calls on average; ' +
        'sellers[0] "feed": 1 seller × 2,000,000 repricing steps each; ' +
        'resellers[0] "broker": 4 sub-agents × about 1,667 slices each × 2 calls), ' +
        `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}, or reprice less often (a longer pricing.everySec)`,
    ]);
  });
});

describe('a group whose work cannot be counted is over the limit', () => {
  it('two task weights of 1e308 (a sum of Infinity, NaN calls) are refused at the group, not dropped from the count', () => {
    const s = validScenario(market());
    const task = s.buyers[0]!.tasks[0]!;
    s.buyers[0]!.tasks = [
      { ...task, weight: 1e308, calls: 3 },
      { ...task, weight: 1e308, calls: 1 },
    ];
    expect(checkRunWork(s)).toEqual([
      {
        path: 'buyers[0].arrivals',
        message:
          'this run makes uncountably many calls in its 1 s ' +
          '(buyers[0] "shopper": 1 buyer × about 0.017 tasks each × uncountably many calls on average), ' +
          `more than the 10,000,000 one run makes: ${RUN_TIME}; ${LOWER}`,
      },
    ]);
  });
});

describe('expected arrivals', () => {
  it('a fixed gap counts the arrivals the run makes: offset + k × gap before the end (3 in 1 s, 2 in 0.95 s)', async () => {
    const fixed = { process: 'fixed', everySec: 0.3, offsetSec: 0.05 } as const;
    expect(expectedArrivals(fixed, 1)).toBe(3);
    expect(expectedArrivals(fixed, 0.95)).toBe(2);
    expect(expectedArrivals(fixed, 0.05)).toBe(0);
    for (const durationSec of [1, 0.95]) {
      const doc = market({ durationSec, drainSec: 5, 'buyers[0].arrivals': fixed });
      const { summary } = await runScenario(validScenario(doc));
      expect(summary.counts.tasks).toBe(expectedArrivals(fixed, durationSec));
    }
  });

  it('a Poisson rate counts its mean: 6 a minute over 90 s is 9', () => {
    expect(expectedArrivals({ process: 'poisson', ratePerMin: 6 }, 90)).toBe(9);
  });
});
