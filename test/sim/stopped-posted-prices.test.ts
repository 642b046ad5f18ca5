/**
 * A stopped run's posted prices cover the market that ran: the report's time-weighted mean and the posted
 * price chart end at the stop (summary.json `endedAtMs`), not at the scenario's end the market never reached.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { postedPriceTable } from '../../sim/report/tables.js';
import { marketCharts } from '../../sim/report/market-charts.js';
import type { Summary } from '../../sim/metrics/summary.js';

/** price-war (seed 1) set to 3000 s, stopped once its market reaches 250 s. */
async function stoppedPriceWar(): Promise<Summary> {
  const stop = new AbortController();
  const scenario = loadScenario('price-war', { overrides: { durationSec: 3000 }, checks: scenarioChecks });
  const { summary } = await runScenario(scenario, {
    seed: 1,
    signal: stop.signal,
    observe: (e) => {
      if (!stop.signal.aborted && e.kind === 'event' && e.t >= 250_000) stop.abort();
    },
  });
  return summary;
}

describe('posted prices of a stopped run', () => {
  let run: Promise<Summary> | undefined;
  const summary = () => (run ??= stoppedPriceWar());

  it('price-war stopped at 250 s of 3000: time-weighted means 2.61 and 2.55 sat over the 250 s that ran, not 1.592 and 1.358 over 3000 s', async () => {
    const s = await summary();
    expect([s.stopped, s.durationMs, s.endedAtMs]).toEqual([true, 3_000_000, 250_000]);
    // rival-0: 652,500,000 msat·ms of posted price over 250,000 ms; rival-1: 637,500,000.
    expect(postedPriceTable(s, s.postedPrices!).rows).toEqual([
      ['rival-0', '25', '1 sat', '2.61 sat', '4 sat', '2', '1.5 sat'],
      ['rival-1', '25', '1 sat', '2.55 sat', '4 sat', '1', '1.25 sat'],
    ]);
  }, 300_000);

  it('draws each posted price line from its last posting to endedAtMs (250 s), not to the scenario end (3000 s)', async () => {
    const s = await summary();
    const chart = marketCharts(s).find((c) => c.id === 'posted-prices')!;
    const values = (chart.spec as { data: { values: { sec: number; seller: string; sats: number }[] } }).data
      .values;
    expect(values.filter((v) => v.sec >= 245)).toEqual([
      { sec: 245, seller: 'rival-0', sats: 1.5 },
      { sec: 250, seller: 'rival-0', sats: 1.5 },
      { sec: 250, seller: 'rival-1', sats: 1.25 },
      { sec: 250, seller: 'rival-1', sats: 1.25 },
    ]);
  }, 300_000);
});
