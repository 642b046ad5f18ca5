/**
 * Regenerates the live view's screenshots in docs/img/ (`npm run demo:screenshots`):
 * the market running, after a presenter took a seller offline and cut a price,
 * a large market folded into groups, and the replay of a finished run.
 * Uses Debian's chromium (CHROMIUM_PATH to override).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { Replay } from '../../sim/live/replay.js';
import { launchBrowser, serve, shown, startDemo } from './harness.js';

const OUT = resolve('docs', 'img');
const WAIT = { timeout: 600_000 };

async function until(page: Page, selector: string, atLeast: number): Promise<void> {
  while ((await shown(page, selector)) < atLeast) await page.waitForTimeout(200);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, name), fullPage: true });
  process.stdout.write(`written docs/img/${name}\n`);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'usage: npm run demo:screenshots\n\nRegenerates docs/img/demo-*.png from live and replayed quickstart markets in Debian chromium\n(CHROMIUM_PATH to use another browser).\n',
  );
  process.exit(0);
}
mkdirSync(OUT, { recursive: true });
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
try {
  const live = await startDemo({}, { speed: 10 });
  await page.goto(live.server.url);
  await until(page, '#total-purchases', 30);
  await shot(page, 'demo-live.png');
  await page.getByLabel('Seller to act on').selectOption('cheap-feed-0');
  await page.getByRole('button', { name: 'Take seller offline' }).click();
  await page.getByLabel('Seller to act on').selectOption('mid-feed-0');
  await page.getByLabel('New price (msat)').fill('1000');
  await page.getByRole('button', { name: 'Set price' }).click();
  await until(page, 'tr[data-seller="cheap-feed-0"] .failures', 1);
  await shot(page, 'demo-presenter.png');
  await page.locator('#status[data-value="finished"]').waitFor(WAIT);
  await live.server.close();

  const replay = Replay.load(live.outDir, { speed: 10 });
  const server = await serve(replay);
  await page.goto(server.url);
  await until(page, '#time', 30_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.locator('#status[data-value="paused"]').waitFor(WAIT);
  await shot(page, 'demo-replay.png');
  replay.close();
  await server.close();

  const big = await startDemo(
    { 'buyers[0].count': 600, 'buyers[1].count': 400, durationSec: 20 },
    { speed: 100 },
  );
  await page.goto(big.server.url);
  await until(page, '#total-purchases', 300);
  await shot(page, 'demo-1000-agents.png');
  await big.server.close();
} finally {
  await browser.close();
}
process.exit(0);
