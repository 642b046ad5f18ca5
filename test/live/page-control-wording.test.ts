import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LiveServer } from '../../sim/live/server.js';
import { frames, launchBrowser, shown, startDemo, until } from './harness.js';
import { recordWire, type Wire } from './page-wire.js';

const RUN = { timeout: 600_000 };

describe('what the page says a control did', () => {
  let browser: Browser;
  let page: Page;
  let server: LiveServer;
  let wire: Wire;

  /** Clicks a button, waits for the reply to the control it sent and returns the message then shown. */
  async function click(name: string): Promise<string> {
    const replies = wire.replies.length;
    await page.getByRole('button', { name }).click();
    await until(`the reply to ${name}`, () => wire.replies.length > replies);
    const last = wire.replies.at(-1);
    expect(last?.type, JSON.stringify(last)).toBe('ok');
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 5000 }).toMatch(/^Done: /);
    return (await page.locator('#message').textContent()) ?? '';
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    wire = recordWire(page);
    ({ server } = await startDemo({ durationSec: 3600 }, { speed: 25 }));
    await page.goto(server.url);
    await until('a first purchase on the page', async () => (await shown(page, '#total-purchases')) > 0);
  }, RUN.timeout);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a seller taken offline and brought back', RUN, async () => {
    await page.getByLabel('Seller to act on').selectOption('cheap-feed-0');
    expect(await click('Take seller offline')).toBe('Done: seller offline (cheap-feed-0)');
    expect(await click('Bring seller online')).toBe('Done: seller back online (cheap-feed-0)');
  });

  test('a node taken offline and brought back', RUN, async () => {
    await page.getByLabel('Node to act on').selectOption('bargain-1');
    expect(await click('Take node offline')).toBe('Done: node offline (bargain-1)');
    expect(await click('Bring node online')).toBe('Done: node back online (bargain-1)');
  });

  test('a price set and a drain', RUN, async () => {
    await page.getByLabel('Seller to act on').selectOption('mid-feed-0');
    await page.getByLabel('New price (msat)').fill('1000');
    expect(await click('Set price')).toBe('Done: price of mid-feed-0 set to 1,000 msat');
    await page.getByLabel('Drain share').fill('0.5');
    expect(await click('Drain its channels')).toBe(
      "Done: drained 50% of bargain-1's outbound liquidity to its peers",
    );
  });

  test('an empty price box asks for a price and sends nothing', RUN, async () => {
    const sent = wire.sent.length;
    await page.getByLabel('New price (msat)').fill('');
    await page.getByRole('button', { name: 'Set price' }).click();
    const seen = await frames(page);
    await until('two more snapshots', async () => (await frames(page)) >= seen + 2);
    expect(await page.locator('#message').textContent()).toBe(
      'Enter a price in msat (a whole number, at least 1)',
    );
    expect(await page.locator('#message').getAttribute('class')).toBe('error');
    expect(wire.sent.slice(sent)).toEqual([]);
  });
});
