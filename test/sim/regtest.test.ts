import { expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { RegtestWorld } from '../../sim/market/regtest-world.js';
import { runScenario } from '../../sim/run.js';
import { createRng } from '../../infra/random.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveMarket } from '../../sim/live/live-market.js';
import { describeRegtest, regtestAvailability, useRegtest } from '../regtest/support/regtest.js';

const unavailable = await regtestAvailability();

describeRegtest(unavailable, 'the quickstart on real LND (--backend regtest)', () => {
  const rt = useRegtest();

  it('runs the same scenario on the wall clock over real sockets, and money balances to the msat', async () => {
    const scenario = loadScenario('quickstart', {
      overrides: {
        durationSec: 8,
        drainSec: 60,
        'buyers[0].arrivals.ratePerMin': 30,
        'buyers[1].arrivals.ratePerMin': 30,
      },
      checks: scenarioChecks,
    });
    const world = await RegtestWorld.fromDesc(rt.net, createRng(1));
    const purchases = new MemorySink();
    const { summary, engine } = await runScenario(scenario, { world, sinks: { purchases } });
    // Everything a failure needs to be understood, printed with the assertion.
    const why = JSON.stringify({ outcomes: summary.purchases.byOutcome, conservation: summary.conservation });
    expect(summary.backend).toBe('regtest');
    expect(engine.unfinished, why).toEqual([]);
    expect(summary.purchases.byOutcome.success, why).toBeGreaterThan(0);
    const rows = parsePurchasesCsv(purchases.text());
    const paid = rows.filter((r) => r.paidMsat > 0);
    expect(paid.length).toBeGreaterThan(0);
    // Real hops: buyer → hub → seller.
    for (const r of paid) expect(r.hops, why).toBe(2);
    const k = summary.conservation;
    expect(k.differenceMsat, why).toBe(0);
    expect(k.recorded.spendDifferenceMsat, why).toBe(0);
    expect(k.recorded.feeDifferenceMsat, why).toBe(0);
    expect(k.routingFeesMsat, why).toBeGreaterThan(0);
    expect(k.holds, why).toBe(true);
  }, 240_000);

  it('the live view names real sellers by their service address and shows the price each was quoted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-regtest-'));
    const networkFile = join(dir, 'network.json');
    writeFileSync(networkFile, JSON.stringify(rt.net));
    const scenario = loadScenario('quickstart', {
      overrides: { durationSec: 8, drainSec: 60, 'buyers[0].arrivals.ratePerMin': 30 },
      checks: scenarioChecks,
    });
    const live = new LiveMarket(scenario, { backend: 'regtest', networkFile, outDir: join(dir, 'run') });
    await live.done;
    const sellers = live.snapshot().sellers;
    // Real sellers listen on 127.0.0.1:<port>: a URL's host names no seller, so no row may appear for "127".
    expect(sellers.map((s) => s.name)).toEqual(['cheap-feed-0', 'mid-feed-0', 'premium-feed-0']);
    // Bargain buyers always take the cheapest quote: cheap-feed's fixed 2,000 msat.
    expect(sellers[0]!.quotedMsat).toBe(2000);
  }, 240_000);
});
