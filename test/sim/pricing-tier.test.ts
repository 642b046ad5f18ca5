/**
 * purchases.csv names the pricing tier each attempt bought, was offered or
 * used: `tierKind` (single, bundle, pass, or a reseller's slice), `tierCalls`
 * (calls it buys) and `tierSec` (how long a pass lasts). Before, a `tier`
 * column held the token's service tier number (always 0 for a buyer, empty
 * for a reseller's bundle), so single, bundle and pass purchases could not be
 * told apart.
 */
import { describe, expect, it } from 'vitest';
import { PURCHASE_COLUMNS, parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario, loadScenarioText } from '../../sim/scenario/load.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';

/** A buyer group whose tasks (2 calls each, every 20 s) find only the sellers of `category`. */
const buyers = (category: string, name = `${category}-buyer`, policy = '{ name: allow_all }') => `
  - name: ${name}
    policy: ${policy}
    budgetMsat: 200000
    arrivals: { process: fixed, everySec: 20 }
    tasks:
      - capability: anomalies:read
        category: ${category}
        calls: 2
        value: { dist: fixed, msat: 30000 }`;

/**
 * Three sellers, each selling one kind of tier, their buyers (one group refusing to pay over 5,000 msat: the
 * pass is denied), and a broker slicing the bundle into 2-call slices.
 */
const THREE_TIERS = `
name: three-tiers
seed: 1
durationSec: 60
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
sellers:
  - { name: one, archetype: data-feed, category: single, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: single }] }
  - { name: six, archetype: data-feed, category: bundle, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: bundle, calls: 6 }] }
  - { name: hour, archetype: data-feed, category: pass, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: pass, durationSec: 600 }] }
buyers:${buyers('single')}${buyers('bundle')}${buyers('pass')}${buyers('pass', 'thrifty', '{ name: max_per_request, params: { maxMsat: 5000 } }')}
resellers:
  - name: broker
    capability: anomalies:read
    markupPpm: 250000
    sliceCalls: 2
    balanceMsat: 200000
    subAgents:
      count: 1
      budgetMsat: 50000
      arrivals: { process: fixed, everySec: 30 }
      value: { dist: fixed, msat: 10000 }
`;

/** What a row says about its tier, with who bought from whom, at which stage, and what it paid. */
function tierView(r: PurchaseRow): string {
  const tier = [r.tierKind, r.tierCalls ?? '', r.tierSec ?? ''].join(':');
  return `${r.role} ${r.buyer} -> ${r.seller} ${r.stage} ${tier} paid ${r.paidMsat}${r.tokenReused ? ' reused' : ''}`;
}

async function purchasesOf(scenario: ReturnType<typeof loadScenario>): Promise<PurchaseRow[]> {
  const purchases = new MemorySink();
  await runScenario(scenario, { seed: 1, sinks: { purchases } });
  return parsePurchasesCsv(purchases.text());
}

describe('purchases.csv pricing tier columns', () => {
  it('the header has tierKind, tierCalls and tierSec after taskId, and no tier column', () => {
    const at = PURCHASE_COLUMNS.indexOf('taskId');
    expect(PURCHASE_COLUMNS.slice(at, at + 5)).toEqual([
      'taskId',
      'tierKind',
      'tierCalls',
      'tierSec',
      'stage',
    ]);
    expect(PURCHASE_COLUMNS.includes('tier')).toBe(false);
  });

  it('a purchases.csv with the old tier column is refused, saying to run its scenario again', () => {
    const old = PURCHASE_COLUMNS.join(',').replace('tierKind,tierCalls,tierSec', 'tier');
    expect(() => parsePurchasesCsv(`${old}\n`)).toThrow(
      /^purchases\.csv: unexpected header, expected seq,.* \(a file written by another version of the simulator: run its scenario again\)$/,
    );
  });

  it('single, bundle, pass and slice purchases seed 1: each row names the tier of the token it bought, used or was denied', async () => {
    const rows = await purchasesOf(loadScenarioText(THREE_TIERS, { checks: scenarioChecks }));
    expect(rows.map(tierView)).toEqual([
      'buyer thrifty-0 -> hour-0 authorize pass::600 paid 0',
      'buyer bundle-buyer-0 -> six-0 consume bundle:6: paid 9600',
      'buyer bundle-buyer-0 -> six-0 consume bundle:6: paid 0 reused',
      'buyer pass-buyer-0 -> hour-0 consume pass::600 paid 20000',
      'buyer pass-buyer-0 -> hour-0 consume pass::600 paid 0 reused',
      'buyer single-buyer-0 -> one-0 consume single:1: paid 2000',
      'buyer single-buyer-0 -> one-0 consume single:1: paid 2000',
      'reseller broker-0 -> six-0 acquire bundle:6: paid 9600',
      'sub-agent broker-0-sub-0 -> broker-0 consume slice:2: paid 4000',
      'sub-agent broker-0-sub-0 -> six-0 consume bundle:6: paid 0 reused',
      'buyer thrifty-0 -> hour-0 authorize pass::600 paid 0',
      'buyer bundle-buyer-0 -> six-0 consume bundle:6: paid 0 reused',
      'buyer bundle-buyer-0 -> six-0 consume bundle:6: paid 0 reused',
      'buyer pass-buyer-0 -> hour-0 consume pass::600 paid 0 reused',
      'buyer pass-buyer-0 -> hour-0 consume pass::600 paid 0 reused',
      'buyer single-buyer-0 -> one-0 consume single:1: paid 2000',
      'buyer single-buyer-0 -> one-0 consume single:1: paid 2000',
    ]);
  });

  it('resale seed 1: retail buys single calls, brokers restock 20-call bundles, sub-agents buy 1-call slices', async () => {
    const rows = await purchasesOf(loadScenario('resale', { checks: scenarioChecks }));
    const counts: Record<string, number> = {};
    for (const r of rows) {
      const key = `${r.role} ${r.stage} ${r.tierKind}:${r.tierCalls ?? ''}:${r.tierSec ?? ''} paid ${r.paidMsat}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    expect(counts).toEqual({
      'buyer consume single:1: paid 3000': 36,
      'reseller acquire bundle:20: paid 40000': 8,
      'sub-agent consume slice:1: paid 2500': 140,
    });
  });
});
