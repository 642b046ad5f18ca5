/**
 * A seller that buys upstream buys its inputs only for the calls its paywall accepted: a call
 * refused for its token (a used-up bundle, a refused slice) spends nothing upstream.
 */
import { describe, expect, it } from 'vitest';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { validScenario } from './scenario-fixture.js';

/** A data feed that buys a compute call for each call it serves, resold in 1-call slices by a broker set to oversell 10 slices of each 5-call bundle: more slices than calls, so some calls are refused. */
const oversold = {
  name: 'upstream-accepted-calls',
  durationSec: 120,
  drainSec: 60,
  sellers: [
    {
      name: 'bulk-feed',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 3000 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 5, priceMsat: 10_000 }],
      upstream: [{ capability: 'compute:stats', calls: 1, maxPriceMsat: 3000 }],
      balanceMsat: 5_000_000,
    },
    { name: 'calc', archetype: 'compute', price: { kind: 'fixed', msat: 1000 } },
  ],
  resellers: [
    {
      name: 'broker',
      count: 1,
      capability: 'anomalies:read',
      markupPpm: 250_000,
      sliceCalls: 1,
      slicesPerBundle: 10,
      oversell: true,
      balanceMsat: 2_000_000,
      subAgents: {
        count: 4,
        budgetMsat: 100_000,
        arrivals: { process: 'poisson', ratePerMin: 4 },
        value: { dist: 'fixed', msat: 5000 },
      },
    },
  ],
};

describe('a seller buying upstream, seed 1', { timeout: 120_000 }, () => {
  it('buys upstream once per call its paywall accepted (20) and never for the 15 it refused', async () => {
    const purchases = new MemorySink();
    const { summary } = await runScenario(validScenario(oversold), { seed: 1, sinks: { purchases } });
    const rows = parsePurchasesCsv(purchases.text());
    const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
    // Every call the feed serves reaches it through a slice: a sub-agent's success is a call it accepted.
    const accepted = count((r) => r.role === 'sub-agent' && r.outcome === 'success');
    const refused =
      count((r) => r.role === 'sub-agent' && r.outcome === 'slice_refused') +
      count((r) => r.seller === 'bulk-feed-0' && r.outcome === 'token_refused');
    const upstream = count((r) => r.group === 'bulk-feed (upstream)');
    expect({ accepted, refused, upstream }).toEqual({ accepted: 20, refused: 15, upstream: 20 });
    expect(summary.groups['bulk-feed (upstream)']!.spentMsat).toBe(20_000);
  });
});
