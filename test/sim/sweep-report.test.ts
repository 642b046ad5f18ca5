import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { writeSweepReport } from '../../sim/sweep/report.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { launchBrowser } from '../live/harness.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

/** An A4 page at 96 dpi. */
const A4 = { width: 794, height: 1123 };

describe('sweep report on a printed page', () => {
  const golden = JSON.parse(
    readGolden(GOLDEN_CASES.find((c) => c.scenario === 'policy-benchmark')!)!,
  ) as Summary;
  // Six points with labels as long as a two-axis grid makes them, every metric shown.
  const points = ['cheapest', 'random', 'best_value'].flatMap((d, i) =>
    [2500, 25000].map((m, j) => ({
      index: 2 * i + j,
      label: `buyers[0].decider.name=${d}, buyers[0].policy.params.maxMsat=${m}`,
      overrides: {},
    })),
  );
  const runs: SweepRun[] = points.flatMap((p) =>
    [1, 2, 3].map((seed) => ({
      point: p.index,
      seed,
      summary: { ...golden, welfare: { ...golden.welfare, buyerSurplusMsat: 1000 * p.index + seed } },
    })),
  );
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-report-'));
    const path = await writeSweepReport(dir, mergeRuns('policy-benchmark', [], points, runs));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: A4 });
    await page.emulateMedia({ media: 'print' });
    await page.goto(`file://${path}`);
  }, 120_000);
  afterAll(() => browser?.close());

  it('fits every table within the width of an A4 page', async () => {
    const pageWidth = await page.evaluate('document.documentElement.clientWidth');
    const scrollWidth = await page.evaluate('document.documentElement.scrollWidth');
    const boxes = await Promise.all((await page.locator('table').all()).map((t) => t.boundingBox()));
    const widest = Math.max(...boxes.map((b) => b!.x + b!.width));
    expect(scrollWidth).toBe(pageWidth);
    expect(widest).toBeLessThanOrEqual(pageWidth as number);
  });

  it('names points by a short id that the legend maps to their settings', async () => {
    const rows = await page.locator('table').first().locator('tr').all();
    const legend = await Promise.all(rows.map((tr) => tr.locator('th, td').allTextContents()));
    expect(legend).toEqual([
      ['point', 'settings'],
      ...points.map((p) => [p.index === 0 ? 'P0 (baseline)' : `P${p.index}`, p.label]),
    ]);
  });
});
