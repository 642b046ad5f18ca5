import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LiveServer } from '../../sim/live/server.js';
import { launchBrowser, shown, startDemo, until } from './harness.js';
import { recordWire, type Wire } from './page-wire.js';

// Waits are on page state, never on the clock: a busy machine runs the market slowly.
const RUN = { timeout: 600_000 };

describe('Space after a presenter button', () => {
  let browser: Browser;
  let page: Page;
  let server: LiveServer;
  let wire: Wire;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    wire = recordWire(page);
    ({ server } = await startDemo({ durationSec: 3600 }, { speed: 25 }));
    await page.goto(server.url);
    await until('a first purchase on the page', async () => (await shown(page, '#total-purchases')) > 0);
    await page.getByLabel('Node to act on').selectOption('bargain-1');
  }, RUN.timeout);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('Space on a button reached with the keyboard operates that button', RUN, async () => {
    await page.locator('#drain').focus();
    await page.keyboard.press('Space');
    await until('the reply to the drain', () => wire.replies.length === 1);
    expect(wire.sent).toEqual([{ type: 'drain', node: 'bargain-1', fraction: 0.9 }]);
    expect(wire.replies).toEqual([{ type: 'ok', applied: 'drain' }]);
    expect(await page.locator('#status').getAttribute('data-value')).toBe('running');
  });

  test('Space after clicking a button pauses the market instead of clicking it again', RUN, async () => {
    await page.getByRole('button', { name: 'Drain its channels' }).click();
    await until('the reply to the clicked drain', () => wire.replies.length === 2);
    await page.keyboard.press('Space');
    await until('the reply to Space', () => wire.replies.length === 3);
    expect(wire.sent).toEqual([
      { type: 'drain', node: 'bargain-1', fraction: 0.9 },
      { type: 'drain', node: 'bargain-1', fraction: 0.9 },
      { type: 'pause' },
    ]);
    expect(wire.replies).toEqual([
      { type: 'ok', applied: 'drain' },
      { type: 'ok', applied: 'drain' },
      { type: 'ok', applied: 'pause' },
    ]);
    await page.locator('#status[data-value="paused"]').waitFor(RUN);
    expect(await page.locator('#pause').textContent()).toBe('Resume');
  });
});
