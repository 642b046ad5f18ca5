/**
 * Price dispersion of a capability sold once is undefined (null), not 0: one price has no spread.
 * summary.json's `prices.<capability>.sdMsat` and `.cv` are null with a single sale, the sweep's
 * `priceCv` (the mean CV over capabilities) leaves such a capability out, and a run with no
 * capability sold twice has no `priceCv` (null) and is left out of the sweep's mean.
 */
import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { summarySchema } from '../../sim/metrics/summary-schema.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { mergeRuns } from '../../sim/sweep/merge.js';
import { SWEEP_METRICS } from '../../sim/sweep/metrics.js';
import { validScenario } from './scenario-fixture.js';

const priceCv = SWEEP_METRICS.find((m) => m.key === 'priceCv')!;

/** Six random buyers: anomalies:read from a 2,000 and a 12,000 msat feed (weight 20), text:summarize at 3,000 (weight 1). */
const twoCapabilities = {
  name: 'cv-probe',
  seed: 1,
  durationSec: 60,
  drainSec: 10,
  network: { topology: { kind: 'ring', routers: 3 }, hopLatency: { meanMs: 20, sdMs: 5 } },
  sellers: [
    { name: 'cheap', archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 } },
    { name: 'dear', archetype: 'data-feed', price: { kind: 'fixed', msat: 12000 } },
    { name: 'summ', archetype: 'llm-summary', price: { kind: 'fixed', msat: 3000 } },
  ],
  buyers: [
    {
      name: 'agents',
      count: 6,
      decider: { name: 'random' },
      policy: { name: 'allow_all' },
      budgetMsat: 500_000,
      arrivals: { process: 'poisson', ratePerMin: 3 },
      tasks: [
        { capability: 'anomalies:read', calls: 1, weight: 20, value: { dist: 'fixed', msat: 30000 } },
        { capability: 'text:summarize', calls: 1, weight: 1, value: { dist: 'fixed', msat: 30000 } },
      ],
    },
  ],
};

async function summaryOf(scenario: Parameters<typeof runScenario>[0]): Promise<Summary> {
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink() };
  return (await runScenario(scenario, { seed: 1, sinks })).summary;
}

describe('price dispersion with a capability sold once', () => {
  const twoCaps = summaryOf(validScenario(twoCapabilities));
  // policy-benchmark for 2 s with one-call tasks: one sale in the run, at 12,000 msat.
  const oneSale = summaryOf(
    loadScenario('policy-benchmark', {
      overrides: { durationSec: 2, 'buyers[0].tasks[0].calls': 1 },
      checks: scenarioChecks,
    }),
  );

  it('writes sdMsat and cv null for text:summarize sold once, 5144.958 and 0.734994 for anomalies:read sold 18 times', async () => {
    expect((await twoCaps).prices).toEqual({
      'anomalies:read': {
        n: 18,
        meanMsat: 7000,
        sdMsat: 5144.958,
        cv: 0.734994,
        minMsat: 2000,
        maxMsat: 12000,
      },
      'text:summarize': { n: 1, meanMsat: 3000, sdMsat: null, cv: null, minMsat: 3000, maxMsat: 3000 },
    });
  }, 120_000);

  it('gives the run a priceCv of 0.734994, the CV of anomalies:read alone, not (0.734994 + 0) / 2 = 0.367497', async () => {
    expect(priceCv.of(await twoCaps)).toBe(0.734994);
  }, 120_000);

  it('gives a run whose one sale is its only price a priceCv of null (no dispersion to measure), not 0', async () => {
    const s = await oneSale;
    expect(s.prices).toEqual({
      'anomalies:read': { n: 1, meanMsat: 12000, sdMsat: null, cv: null, minMsat: 12000, maxMsat: 12000 },
    });
    expect(priceCv.of(s)).toBeNull();
  }, 120_000);

  it('leaves that run out of the sweep: priceCv over n = 1 run, mean 0.734994, not 0.367497 over 2', async () => {
    const point = { index: 0, label: 'a', overrides: {} };
    const r = mergeRuns(
      'x',
      [],
      [point],
      [
        { point: 0, seed: 1, summary: await twoCaps },
        { point: 0, seed: 2, summary: await oneSale },
      ],
    );
    expect(r.points[0]!.metrics.priceCv).toEqual({
      n: 1,
      mean: 0.734994,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
    });
  }, 120_000);

  it('reads the null sdMsat and cv back from summary.json (sim report)', async () => {
    const parsed = summarySchema.parse(JSON.parse(JSON.stringify(await twoCaps)));
    expect(parsed.prices['text:summarize']).toEqual({
      n: 1,
      meanMsat: 3000,
      sdMsat: null,
      cv: null,
      minMsat: 3000,
      maxMsat: 3000,
    });
  }, 120_000);
});
