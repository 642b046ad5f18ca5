import { describe, expect, it } from 'vitest';
import { ratingRank } from '../../services/registry/index.js';
import type { ListingRating } from '../../services/registry/types.js';
import { listingOf, nodeKeys, openRegistry, paidInvoice } from '../security/registry-helpers.js';

type Opened = Awaited<ReturnType<typeof openRegistry>>;

const BUYERS = Array.from({ length: 20 }, (_, i) => `buyer${i}`);
const keys = nodeKeys(7, ['honest', 'cheat', 'cheatAlt', 'unrated', 'panned', ...BUYERS]);

/** Registers a one-tier 10,000 msat listing of `node` at `host`; answers its id. */
async function list({ client }: Opened, node: keyof typeof keys, host: string): Promise<string> {
  const r = await client.register(listingOf(keys[node]!, `http://${host}/v1/q`, 10_000), keys[node]!.signer);
  if (!r.ok) throw new Error(r.message);
  return r.listing.id;
}

/** Rates listing `id` of `node` `score`, on an invoice of `amountMsat` that node signed, as `rater`. */
async function rate(
  { clock, client }: Opened,
  id: string,
  node: keyof typeof keys,
  rater: keyof typeof keys,
  score: number,
  amountMsat: number,
  preimageByte: number,
): Promise<void> {
  const timestampSec = Math.floor(clock.now() / 1000);
  const proof = paidInvoice(keys[node]!, { timestampSec, amountMsat }, preimageByte);
  const r = await client.rate(id, { score, ...proof }, keys[rater]!.signer);
  if (!r.ok) throw new Error(r.message);
}

/** The honest listing: 20 paid ratings of 10,000 msat, one 4 and nineteen 5s (average 4.95). */
async function honestListing(reg: Opened): Promise<string> {
  const id = await list(reg, 'honest', 'honest.example');
  for (let i = 0; i < 20; i++) await rate(reg, id, 'honest', BUYERS[i]!, i === 0 ? 4 : 5, 10_000, 10 + i);
  return id;
}

/** The hosts and served ratings of a `sort=rating` search, best first. */
async function ranked({ client }: Opened): Promise<[string, ListingRating | undefined][]> {
  const found = await client.search({ capability: 'data:read', sort: 'rating' });
  if (!found.ok) throw new Error(found.message);
  return found.listings.map((l) => [new URL(l.url).host, l.rating]);
}

describe('sort=rating ranks by the average shrunk toward 3 by 100,000 msat of prior weight', () => {
  it('ranks 20 paid ratings (average 4.95, 200,000 msat) above one unpaid 1-msat self-rating of 5, serving both averages unchanged', async () => {
    const reg = await openRegistry();
    await honestListing(reg);
    const cheat = await list(reg, 'cheat', 'cheat.example');
    // An invoice of 1 msat the cheat's own node signed and nobody paid, rated from a second key it owns.
    await rate(reg, cheat, 'cheat', 'cheatAlt', 5, 1, 200);
    expect(await ranked(reg)).toEqual([
      ['honest.example', { average: 4.95, count: 20, paidMsat: 200_000 }],
      ['cheat.example', { average: 5, count: 1, paidMsat: 1 }],
    ]);
    // (4.95 × 200,000 + 3 × 100,000) / 300,000 against (5 × 1 + 3 × 100,000) / 100,001.
    expect(ratingRank({ average: 4.95, paidMsat: 200_000 })).toBe(4.3);
    expect(ratingRank({ average: 5, paidMsat: 1 })).toBe(300_005 / 100_001);
  });

  it('a seller whose only tier costs 10,000 msat needs 19 self-ratings of 5 on full-tier invoices to outrank them: 18 rank below (4.2857 < 4.3), 19 above (4.3103)', async () => {
    const outcomes = [];
    for (const n of [18, 19]) {
      const reg = await openRegistry();
      await honestListing(reg);
      const cheat = await list(reg, 'cheat', 'cheat.example');
      for (let i = 0; i < n; i++) await rate(reg, cheat, 'cheat', 'cheatAlt', 5, 10_000, 100 + i);
      const got = await ranked(reg);
      outcomes.push([n, got.map(([host]) => host), ratingRank(got.find(([h]) => h === 'cheat.example')![1])]);
    }
    expect(outcomes).toEqual([
      [18, ['honest.example', 'cheat.example'], 1_200_000 / 280_000],
      [19, ['cheat.example', 'honest.example'], 1_250_000 / 290_000],
    ]);
  });

  it('ranks an unrated listing at the neutral 3: below paid 5s, above paid 1s', async () => {
    const reg = await openRegistry();
    await list(reg, 'unrated', 'unrated.example');
    const panned = await list(reg, 'panned', 'panned.example');
    const praised = await list(reg, 'honest', 'praised.example');
    await rate(reg, panned, 'panned', 'buyer0', 1, 10_000, 1);
    await rate(reg, praised, 'honest', 'buyer1', 5, 10_000, 2);
    expect(await ranked(reg)).toEqual([
      ['praised.example', { average: 5, count: 1, paidMsat: 10_000 }],
      ['unrated.example', undefined],
      ['panned.example', { average: 1, count: 1, paidMsat: 10_000 }],
    ]);
    expect(ratingRank(undefined)).toBe(3);
  });
});
