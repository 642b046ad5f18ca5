import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shown, startDemo } from './harness.js';

const RUN = { timeout: 600_000 };

// Run in the page (this project's TypeScript has no DOM types).
/** Every panel or table cell whose content is wider than it (cut, or scrolled sideways), named by its text. */
const OVERFLOWING = `[...document.querySelectorAll('main .panel, main td, main th')]
  .filter((e) => e.scrollWidth > e.clientWidth)
  .map((e) => e.tagName + ' "' + e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 50) + '"')`;

/** Number cells whose text is broken over more than one line, by their text. */
const BROKEN_NUMBERS = `[...document.querySelectorAll('main td.num')]
  .filter((e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.bottom))).size > 1;
  })
  .map((e) => e.textContent)`;

/** The lines a cell shows as laid out (innerText has no soft line breaks), each trimmed. */
const shownLines = (selector: string): string => `(() => {
  const walker = document.createTreeWalker(document.querySelector(${JSON.stringify(selector)}), NodeFilter.SHOW_TEXT);
  const lines = [];
  let top;
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    for (let i = 0; i < n.data.length; i++) {
      const range = document.createRange();
      range.setStart(n, i);
      range.setEnd(n, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (Math.round(rect.top) !== top) lines.push('');
      top = Math.round(rect.top);
      lines[lines.length - 1] += n.data[i];
    }
  return lines.map((l) => l.trim());
})()`;

describe('the page on a projector', () => {
  let browser: Browser;
  let page: Page;
  let longest = { outcome: '', text: '' };

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // A finished seeded run whose three sellers' nodes go offline in turn: failures naming every
    // seller, the longest text the tables get; the same figures every time.
    const faults = [
      { kind: 'node_offline', atSec: 60, node: 'cheap-feed-0' },
      { kind: 'node_offline', atSec: 90, node: 'premium-feed-0' },
      { kind: 'node_offline', atSec: 120, node: 'mid-feed-0' },
    ];
    const { server } = await startDemo({ durationSec: 300, faults }, { speed: 100 });
    try {
      await page.goto(server.url);
      await page.locator('#status[data-value="finished"]').waitFor(RUN);
      expect(await shown(page, 'tr[data-seller="cheap-feed-0"] .failures')).toBe(125);
      // The failures row naming the most sellers: the longest text a cell gets.
      const rows = page.locator('#failures tr[data-outcome]');
      for (const row of await rows.all()) {
        const text = (await row.locator('td').last().textContent()) ?? '';
        if (text.length > longest.text.length)
          longest = { outcome: (await row.getAttribute('data-outcome')) ?? '', text };
      }
    } finally {
      await server.close();
    }
  }, RUN.timeout);
  afterAll(async () => {
    await browser?.close();
  });

  test.each([1024, 1280, 1600, 1920])(
    'at %i px no panel scrolls sideways and no cell is cut',
    async (width) => {
      await page.setViewportSize({ width, height: 800 });
      expect(await page.evaluate<string[]>(OVERFLOWING)).toEqual([]);
      expect(await page.evaluate<string[]>(BROKEN_NUMBERS)).toEqual([]);
    },
  );

  test("a failing seller's name and count stay on one line at any width (no_route's row, on 2 or more lines at 33 of the 145 widths)", async () => {
    const cell = `#failures tr[data-outcome="${longest.outcome}"] td:last-child`;
    expect(longest.text).toMatch(/^[\w-]+ \d+(, [\w-]+ \d+)+$/);
    const broken: string[] = [];
    let wrapped = 0;
    for (let width = 480; width <= 1920; width += 10) {
      await page.setViewportSize({ width, height: 800 });
      const lines = await page.evaluate<string[]>(shownLines(cell));
      if (lines.length > 1) wrapped++;
      if (!lines.every((l) => /^[\w-]+ \d+(, [\w-]+ \d+)*,?$/.test(l)))
        broken.push(`${width}: ${lines.join(' | ')}`);
    }
    // The seeded run's longest row, wrapped at the narrower widths: the check saw lines break.
    expect([longest, wrapped]).toEqual([
      { outcome: 'no_route', text: 'cheap-feed-0 125, mid-feed-0 99, premium-feed-0 56' },
      33,
    ]);
    expect(broken).toEqual([]);
  });
});
