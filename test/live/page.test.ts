import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Replay } from '../../sim/live/replay.js';
import {
  frames,
  launchBrowser,
  readSummary,
  serve,
  shown,
  shownTotals,
  startDemo,
  summaryTotals,
  until,
} from './harness.js';

// Runs take minutes of wall time on a busy machine: waits are on page state, never on the clock.
const RUN = { timeout: 600_000 };

describe('live page in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let finishedRun = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('live counters reach the totals in the run summary.json', RUN, async () => {
    const { market, server, outDir } = await startDemo({}, { speed: 100 });
    try {
      await page.goto(server.url);
      await page.locator('#status[data-value="finished"]').waitFor(RUN);
      await market.done;
      const summary = readSummary(outDir);
      expect(await shownTotals(page)).toEqual(summaryTotals(summary));
      expect(await page.locator('#total-conservation').textContent()).toContain('✓ holds');
      finishedRun = outDir;
    } finally {
      await server.close();
    }
  });

  test('replay of the finished run ends on the same totals', RUN, async () => {
    expect(finishedRun).not.toBe('');
    const replay = Replay.load(finishedRun, { speed: 100 });
    const server = await serve(replay);
    try {
      await page.goto(server.url);
      await page.locator('#status[data-value="finished"]').waitFor(RUN);
      expect(await page.locator('#mode').textContent()).toBe('replay');
      expect(await shownTotals(page)).toEqual(summaryTotals(readSummary(finishedRun)));
    } finally {
      replay.close();
      await server.close();
    }
  });

  describe('a presenter acting on a running market', () => {
    let stop: () => Promise<void>;

    beforeAll(async () => {
      const { server } = await startDemo({ durationSec: 3600 }, { speed: 25 });
      stop = () => server.close();
      await page.goto(server.url);
      await until('a first purchase on the page', async () => (await shown(page, '#total-purchases')) > 0);
    }, RUN.timeout);
    afterAll(async () => {
      await stop?.();
    });

    test('pausing stops market time and the counters; resuming starts them again', RUN, async () => {
      await page.keyboard.press('Space');
      await page.locator('#status[data-value="paused"]').waitFor(RUN);
      const t = await shown(page, '#time');
      const purchases = await shown(page, '#total-purchases');
      const seen = await frames(page);
      await expect.poll(() => frames(page), RUN).toBeGreaterThanOrEqual(seen + 10);
      expect(await shown(page, '#time')).toBe(t);
      expect(await shown(page, '#total-purchases')).toBe(purchases);
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => shown(page, '#time'), RUN).toBeGreaterThan(t);
    });

    test('taking a seller offline makes its failed payments appear', RUN, async () => {
      await page.getByLabel('Seller to act on').selectOption('cheap-feed-0');
      await page.getByRole('button', { name: 'Take seller offline' }).click();
      await page.locator('#message').filter({ hasText: 'Done: seller offline' }).waitFor(RUN);
      await page.locator('tr[data-seller="cheap-feed-0"]', { hasText: 'offline' }).waitFor(RUN);
      await expect
        .poll(() => shown(page, 'tr[data-seller="cheap-feed-0"] .failures'), RUN)
        .toBeGreaterThan(0);
      await expect(page.locator('#failures tr[data-outcome="no_route"]').textContent()).resolves.toContain(
        'cheap-feed-0',
      );
    });

    test('a price change is seen by buyers in the quotes they get', RUN, async () => {
      await page.getByLabel('Seller to act on').selectOption('mid-feed-0');
      await page.getByLabel('New price (msat)').fill('1000');
      await page.getByRole('button', { name: 'Set price' }).click();
      await page.locator('#message').filter({ hasText: 'Done: price' }).waitFor(RUN);
      await expect.poll(() => shown(page, 'tr[data-seller="mid-feed-0"] .quoted'), RUN).toBe(1000);
    });
  });
});
