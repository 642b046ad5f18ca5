import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LiveServer } from '../../sim/live/server.js';
import { frames, launchBrowser, startDemo, until } from './harness.js';
import { recordWire, type Wire } from './page-wire.js';

const RUN = { timeout: 600_000 };

/** What the speed menu shows: its selected option's text. */
function menuShows(page: Page): Promise<string | null> {
  return page.locator('#speed-select option:checked').textContent({ timeout: 5000 });
}

/** Presses a key on the page (not in a field), waits for the reply to the control it sent and returns the speed then shown. */
async function press(page: Page, wire: Wire, key: string): Promise<number> {
  const replies = wire.replies.length;
  await page.keyboard.press(key);
  await until(`the reply to ${key}`, () => wire.replies.length > replies);
  const seen = await frames(page);
  await until('a snapshot after the reply', async () => (await frames(page)) > seen);
  return Number(await page.locator('#speed').getAttribute('data-value'));
}

describe('speed keys and menu', () => {
  let browser: Browser;
  let page: Page;
  let server: LiveServer;
  let wire: Wire;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    wire = recordWire(page);
    ({ server } = await startDemo({ durationSec: 3600 }, { speed: 7 }));
    await page.goto(server.url);
    await page.locator('#speed[data-value="7"]').waitFor(RUN);
  }, RUN.timeout);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a speed the menu does not list is shown in it', RUN, async () => {
    expect(await menuShows(page)).toBe('7×');
  });

  test('+ from an unlisted speed goes to the next listed one above it', RUN, async () => {
    expect(await press(page, wire, '+')).toBe(10);
    expect(await menuShows(page)).toBe('10×');
    expect(wire.sent).toEqual([{ type: 'speed', speed: 10 }]);
  });

  test('- steps down through 0.5x to 0.25x and no further', RUN, async () => {
    const shownSpeeds = [];
    for (let i = 0; i < 5; i++) shownSpeeds.push(await press(page, wire, '-'));
    expect(shownSpeeds).toEqual([5, 2, 1, 0.5, 0.25]);
    expect(await menuShows(page)).toBe('0.25×');
    const seen = await frames(page);
    await page.keyboard.press('-');
    await until('two snapshots after the last -', async () => (await frames(page)) >= seen + 2);
    expect(await page.locator('#speed').getAttribute('data-value')).toBe('0.25');
    expect(await page.locator('#message').textContent()).toBe('Speed is already the slowest, 0.25×');
    expect(wire.sent.map((c) => c.speed)).toEqual([10, 5, 2, 1, 0.5, 0.25]);
  });

  test('+ from 0.25x goes to 0.5x, and the menu lists every speed from 0.25x to 100x', RUN, async () => {
    expect(await press(page, wire, '+')).toBe(0.5);
    expect(await menuShows(page)).toBe('0.5×');
    const options = await page.locator('#speed-select option').allTextContents();
    expect(options).toEqual(['0.25×', '0.5×', '1×', '2×', '5×', '10×', '25×', '50×', '100×']);
  });
});
