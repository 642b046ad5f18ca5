import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { dataFeed, READINGS_KEPT } from '../../services/sellers/data-feed.js';
import { extractiveSummarizer } from '../../services/sellers/index.js';

/** A data feed behind a bare Hono route, on a fixed clock (2026-01-01) and seed. */
function feed(seed: string) {
  const clock = new VirtualClock();
  const archetype = dataFeed({ clock, rng: createRng(seed), quality: 0.5, summarizer: extractiveSummarizer });
  const app = new Hono();
  app.get(archetype.path, (c) => archetype.handle(c));
  return async (query: string) => (await app.request(`${archetype.path}?${query}`)).text();
}

const EU_3_DAYS =
  '{"region":"eu","series":[' +
  '{"region":"eu","date":"2025-12-30","anomalyC":5.2,"confidence":0.5},' +
  '{"region":"eu","date":"2025-12-31","anomalyC":-0.9,"confidence":0.5},' +
  '{"region":"eu","date":"2026-01-01","anomalyC":-0.2,"confidence":0.5}]}';

describe('data feed readings, drawn once per region and day', () => {
  it('answers eu for 3 days with the seed-fixed readings, the same on a repeat', async () => {
    const ask = feed('readings');
    expect(await ask('region=eu&days=3')).toBe(EU_3_DAYS);
    expect(await ask('region=eu&days=3')).toBe(EU_3_DAYS);
  });

  it('answers the same after more readings than it keeps pushed the first ones out', async () => {
    const ask = feed('readings');
    expect(await ask('region=eu&days=3')).toBe(EU_3_DAYS);
    const regions = Array.from(
      { length: Math.ceil(READINGS_KEPT / 31) + 1 },
      (_, i) => `r${String.fromCharCode(97 + i)}`,
    );
    for (const region of regions) await ask(`region=${region}&days=31`);
    expect(await ask('region=eu&days=3')).toBe(EU_3_DAYS);
  });

  it('gives a fresh feed of the same seed the same answer as one that kept its readings', async () => {
    const warm = feed('readings');
    await warm('region=eu&days=31');
    expect(await warm('region=eu&days=3')).toBe(await feed('readings')('region=eu&days=3'));
  });
});
