import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** The resale scenario at seed 1 with `overrides`: its summary, purchases.csv rows and a column lookup. */
async function resaleRun(overrides: Record<string, unknown>) {
  const scenario = loadScenario('resale', { overrides, checks: scenarioChecks });
  const purchases = new MemorySink();
  const { summary } = await runScenario(scenario, { seed: 1, sinks: { purchases, tasks: new MemorySink() } });
  const [header, ...lines] = purchases.text().trim().split('\n');
  const col = (name: string) => header!.split(',').indexOf(name);
  return { summary, rows: lines.map((l) => l.split(',')), col };
}

describe('simulated resale: a broker set to oversell is not paid for the slices that fail', () => {
  it(
    'resale seed 1, a broker set to oversell 25 one-call slices per 20-call bundle: each bundle is dropped after 3 slices refused in a row and its check refused (5 bundle-check rows, token_refused), 15 refused at 0 msat, 125 sold at 2,500',
    {
      timeout: 120_000,
    },
    async () => {
      const { summary, rows, col } = await resaleRun({
        'resellers[0].slicesPerBundle': 25,
        'resellers[0].oversell': true,
      });
      const refused = rows.filter((r) => r[col('outcome')] === 'slice_refused');

      // Each refused slice's check (its row's call) at the origin met the bundle's spent counter (token_refused);
      // after 3 in a row the broker checks the bundle at the origin (a row of its own, refused: quota_exhausted)
      // and cuts the next slice from a new bundle (5 bundles oversold, 3 refusals each).
      expect(summary.purchases.byOutcome).toEqual({ slice_refused: 15, success: 168, token_refused: 5 });
      const checks = rows.filter((r) => r[col('taskId')]!.includes('/bundle-check-'));
      expect(
        checks.map((r) => [r[col('taskId')], r[col('role')], r[col('refusal')], r[col('paidMsat')]]),
      ).toEqual([
        ['broker-0/bundle-check-0', 'reseller', 'quota_exhausted', '0'],
        ['broker-1/bundle-check-0', 'reseller', 'quota_exhausted', '0'],
        ['broker-0/bundle-check-1', 'reseller', 'quota_exhausted', '0'],
        ['broker-1/bundle-check-1', 'reseller', 'quota_exhausted', '0'],
        ['broker-0/bundle-check-2', 'reseller', 'quota_exhausted', '0'],
      ]);
      expect(refused.filter((r) => r.join(',').includes('(token_refused: ')).length).toBe(15);
      expect(refused.map((r) => `${r[col('paidMsat')]}+${r[col('feeMsat')]}`)).toEqual(Array(15).fill('0+0'));
      expect(refused.filter((r) => r[col('seller')] === 'broker-0')).toHaveLength(9);
      expect(summary.resale).toMatchObject({
        'broker-0': { sales: 67, revenueMsat: 167_500 },
        'broker-1': { sales: 58, revenueMsat: 145_000 },
      });
      expect(summary.groups['broker sub-agents']).toMatchObject({ spentMsat: 125 * 2_500 });
      expect(summary.conservation.differenceMsat).toBe(0);
    },
  );

  it(
    'resale seed 1, a broker set to oversell, with a credit limit of 5 unpaid slices per 600 s: each broker drops its first bundle after 3 refused slices and its refused check, stops after 5 (10 in all, not 25) and refuses the rest 503 credit_exhausted at 0 msat',
    { timeout: 120_000 },
    async () => {
      const { summary, rows, col } = await resaleRun({
        'resellers[0].slicesPerBundle': 25,
        'resellers[0].oversell': true,
        'resellers[0].creditLimit': { slices: 5, windowSec: 600 },
      });
      // The broker's 503 credit_exhausted comes before any invoice: a quote with no challenge.
      const creditRefused = rows.filter(
        (r) => r[col('stage')] === 'quote' && r[col('reason')] === 'HTTP 503 without a payment challenge',
      );

      expect(summary.purchases.byOutcome).toEqual({
        seller_error: 50,
        slice_refused: 10,
        success: 120,
        token_refused: 2,
      });
      expect(creditRefused).toHaveLength(50);
      expect(creditRefused.filter((r) => r[col('seller')] === 'broker-0')).toHaveLength(31);
      expect(creditRefused.map((r) => `${r[col('paidMsat')]}+${r[col('feeMsat')]}`)).toEqual(
        Array(50).fill('0+0'),
      );
      expect(summary.resale).toMatchObject({
        'broker-0': { sales: 40, revenueMsat: 100_000 },
        'broker-1': { sales: 40, revenueMsat: 100_000 },
      });
      expect(summary.conservation.differenceMsat).toBe(0);
    },
  );
});
