import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { LiveMarket, type LiveMarketOptions } from '../../sim/live/live-market.js';
import { startLiveServer, type LiveServer, type LiveSource } from '../../sim/live/server.js';

/** Debian's chromium; nothing is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A live market of a shipped scenario (quickstart unless named; overrides applied) and the server in front of it. */
export async function startDemo(
  overrides: Record<string, unknown>,
  opts: Partial<LiveMarketOptions> = {},
  scenarioName = 'quickstart',
): Promise<{ market: LiveMarket; server: LiveServer; outDir: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'live-'));
  const scenario = loadScenario(scenarioName, { overrides, checks: scenarioChecks });
  const market = new LiveMarket(scenario, { outDir, ...opts });
  const server = await startLiveServer(market, { intervalMs: 100 });
  return { market, server, outDir };
}

export async function serve(source: LiveSource): Promise<LiveServer> {
  return startLiveServer(source, { intervalMs: 100 });
}

export function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

/** A number the page shows (its `data-value`). */
export async function shown(page: Page, selector: string): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute('data-value'));
}

/** Snapshots the page has received. */
export async function frames(page: Page): Promise<number> {
  return Number((await page.locator('body').getAttribute('data-frames')) ?? 0);
}

/** The running totals as the page shows them, in summary.json's terms. */
export async function shownTotals(page: Page): Promise<Record<string, number>> {
  return {
    purchases: await shown(page, '#total-purchases'),
    successes: await shown(page, '#total-successes'),
    spentMsat: await shown(page, '#total-spent'),
    feesMsat: await shown(page, '#total-fees'),
    revenueMsat: await shown(page, '#total-revenue'),
    sales: await shown(page, '#total-sales'),
    tasksDone: await shown(page, '#total-tasks'),
  };
}

/** The same figures from summary.json. */
export function summaryTotals(s: Summary): Record<string, number> {
  return {
    purchases: s.purchases.total,
    successes: s.purchases.byOutcome.success ?? 0,
    spentMsat: s.money.spentMsat,
    feesMsat: s.money.feesMsat,
    revenueMsat: Object.values(s.sellers).reduce((a, v) => a + v.revenueMsat, 0),
    sales: s.money.sales,
    tasksDone: s.welfare.done,
  };
}

/** Waits (polling) until `check` holds; throws after `timeoutMs` naming what it waited for. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
