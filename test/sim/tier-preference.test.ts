/**
 * A buyer group's `prefer` (single | bundle | pass) makes its buyers ask
 * each seller advertising a tier of that kind for the first such tier
 * (`L402-Tier` on the quote), and take a seller's default (first) tier when
 * it sells none. Before, `prefer` was accepted and ignored: every buyer
 * bought each seller's default tier.
 */
import { describe, expect, it } from 'vitest';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioText } from '../../sim/scenario/load.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';

/** A buyer group whose tasks (2 calls worth 40,000 msat, every 20 s) find only the sellers of `category`. */
const group = (name: string, category: string, prefer?: string) => `
  - name: ${name}
    policy: { name: allow_all }
    budgetMsat: 200000${prefer ? `\n    prefer: ${prefer}` : ''}
    arrivals: { process: fixed, everySec: 20 }
    tasks:
      - capability: anomalies:read
        category: ${category}
        calls: 2
        value: { dist: fixed, msat: 40000 }`;

/**
 * `full` sells a single call (2,000 msat), a 10-call bundle (16,000) and a 600 s pass (20,000), in that
 * order; `bulk` a 5-call bundle (8,000) first, then a single call (2,000), and no pass.
 */
const PREFERENCES = `
name: tier-preference
seed: 1
durationSec: 60
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
sellers:
  - name: full
    archetype: data-feed
    category: full
    price: { kind: fixed, msat: 2000 }
    tiers: [{ kind: single }, { kind: bundle, calls: 10 }, { kind: pass, durationSec: 600 }]
  - name: bulk
    archetype: data-feed
    category: bulk
    price: { kind: fixed, msat: 2000 }
    tiers: [{ kind: bundle, calls: 5 }, { kind: single }]
buyers:${group('singles', 'full', 'single')}${group('bundles', 'full', 'bundle')}${group('passes', 'full', 'pass')}${group('defaults', 'full')}${group('bulk-pass', 'bulk', 'pass')}${group('bulk-single', 'bulk', 'single')}
`;

/** What a row says about the tier bought, with who bought it from whom, at which stage, and what it paid. */
function tierView(r: PurchaseRow): string {
  const tier = [r.tierKind, r.tierCalls ?? '', r.tierSec ?? ''].join(':');
  return `${r.buyer} -> ${r.seller} ${r.stage} ${tier} paid ${r.paidMsat}${r.tokenReused ? ' reused' : ''}`;
}

describe('a buyer group buys the tier kind it prefers', () => {
  it('seed 1: single, bundle and pass preferences buy those tiers of full; none buys its default; bulk, with no pass, sells its default bundle to the pass group and its second tier, a single, to the single group', async () => {
    const purchases = new MemorySink();
    const scenario = loadScenarioText(PREFERENCES, { checks: scenarioChecks });
    await runScenario(scenario, { seed: 1, sinks: { purchases } });
    const rows = parsePurchasesCsv(purchases.text());
    expect(rows.map(tierView)).toEqual([
      'bundles-0 -> full-0 consume bundle:10: paid 16000',
      'bundles-0 -> full-0 consume bundle:10: paid 0 reused',
      'bulk-pass-0 -> bulk-0 consume bundle:5: paid 8000',
      'bulk-pass-0 -> bulk-0 consume bundle:5: paid 0 reused',
      'passes-0 -> full-0 consume pass::600 paid 20000',
      'passes-0 -> full-0 consume pass::600 paid 0 reused',
      'defaults-0 -> full-0 consume single:1: paid 2000',
      'defaults-0 -> full-0 consume single:1: paid 2000',
      'singles-0 -> full-0 consume single:1: paid 2000',
      'singles-0 -> full-0 consume single:1: paid 2000',
      'bulk-single-0 -> bulk-0 consume single:1: paid 2000',
      'bulk-single-0 -> bulk-0 consume single:1: paid 2000',
      // The second task of each buyer: a bundle or a pass bought by the first serves its calls.
      'bundles-0 -> full-0 consume bundle:10: paid 0 reused',
      'bundles-0 -> full-0 consume bundle:10: paid 0 reused',
      'passes-0 -> full-0 consume pass::600 paid 0 reused',
      'passes-0 -> full-0 consume pass::600 paid 0 reused',
      'bulk-pass-0 -> bulk-0 consume bundle:5: paid 0 reused',
      'bulk-pass-0 -> bulk-0 consume bundle:5: paid 0 reused',
      'defaults-0 -> full-0 consume single:1: paid 2000',
      'defaults-0 -> full-0 consume single:1: paid 2000',
      'singles-0 -> full-0 consume single:1: paid 2000',
      'singles-0 -> full-0 consume single:1: paid 2000',
      'bulk-single-0 -> bulk-0 consume single:1: paid 2000',
      'bulk-single-0 -> bulk-0 consume single:1: paid 2000',
    ]);
  });

  it("a group without prefer has none once parsed (each seller's default tier); prefer: bundles is refused naming the kinds", () => {
    const scenario = loadScenarioText(PREFERENCES, { checks: scenarioChecks });
    expect(scenario.buyers.map((b) => [b.name, b.prefer])).toEqual([
      ['singles', 'single'],
      ['bundles', 'bundle'],
      ['passes', 'pass'],
      ['defaults', undefined],
      ['bulk-pass', 'pass'],
      ['bulk-single', 'single'],
    ]);
    const misspelt = PREFERENCES.replace('prefer: bundle\n', 'prefer: bundles\n');
    expect(() => loadScenarioText(misspelt, { checks: scenarioChecks })).toThrow(
      /buyers\[1\]\.prefer: expected single \| bundle \| pass/,
    );
  });
});
