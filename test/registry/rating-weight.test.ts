/**
 * What one rating weighs: the amount its invoice asked, at most the
 * listing's highest advertised tier price; and the served sums stay figures
 * every buyer can read, however large the exact sums grow.
 */
import { describe, expect, it } from 'vitest';
import { thompsonDecider } from '../../agents/buyer/deciders/index.js';
import type { OfferTerms, Task } from '../../agents/buyer/types.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  createRegistryApp,
  MemoryRegistryStore,
  Registry,
  RegistryClient,
} from '../../services/registry/index.js';
import type { ListingFields } from '../../services/registry/index.js';
import { listingOf, nodeKeys, openRegistry, paidInvoice } from '../security/registry-helpers.js';

const MAX = Number.MAX_SAFE_INTEGER;
const BUYERS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9'] as const;
const keys = () => nodeKeys(11, ['taker', 'sock', ...BUYERS]);

/** A registry with one listing of `taker` built by `fields`, and eleven more node keys to pay from. */
async function listed(fields: (k: ReturnType<typeof keys>) => ListingFields) {
  const r = await openRegistry();
  const k = keys();
  const reg = await r.client.register(fields(k), k.taker.signer);
  if (!reg.ok) throw new Error(reg.message);
  return { ...r, k, id: reg.listing.id, nowSec: Math.floor(r.clock.now() / 1000) };
}

/**
 * A 5,000 msat listing rated 1 star by ten buyers who paid 5,000 msat each,
 * then 5 stars by its own seller on its own unpaid 10^12 msat invoice, a
 * second key as payer; with the self-rating's answer.
 */
async function selfRated() {
  const m = await listed((k) => listingOf(k.taker, 'http://taker.test/v1/data', 5_000));
  for (const [i, b] of BUYERS.entries()) {
    const proof = paidInvoice(m.k.taker, { timestampSec: m.nowSec, amountMsat: 5_000 }, 10 + i);
    const r = await m.client.rate(m.id, { score: 1, ...proof }, m.k[b].signer);
    if (!r.ok) throw new Error(r.message);
  }
  const fake = paidInvoice(m.k.taker, { timestampSec: m.nowSec, amountMsat: 1_000_000_000_000 }, 99);
  return { m, rated: await m.client.rate(m.id, { score: 5, ...fake }, m.k.sock.signer) };
}

describe('a rating weighs the amount paid, at most the listing’s highest tier price', () => {
  it('a self-rating on a 10^12 msat invoice weighs one 5,000 msat purchase against ten paid 1-star ratings: average 75,000 / 55,000', async () => {
    const { rated } = await selfRated();
    expect(rated).toMatchObject({
      ok: true,
      rating: { average: 75_000 / 55_000, count: 11, paidMsat: 55_000 },
    });
  });

  it('a learning buyer still refuses that seller at 5,000 msat for a 6,000 msat task after the self-rating', async () => {
    const { m } = await selfRated();
    const found = await m.client.search({ capability: 'data:read' });
    if (!found.ok) throw new Error(found.message);
    const offer: OfferTerms = {
      listing: found.listings[0]!,
      source: 'challenge',
      priceMsat: 5_000,
      covers: 1,
      valueMsat: 6_000,
    };
    const task: Task = { id: 't', capability: 'data:read', calls: 1, valueMsat: 6_000 };
    const c = await thompsonDecider(createRng(1)).choose([offer], task);
    expect([c.index, c.reason]).toEqual([-1, 'thompson: no offer has a positive expected surplus']);
  });

  it('the weight cap follows the dearest tier: a 50,000 msat invoice weighs 20,000 on a listing whose bundle costs 20,000', async () => {
    const m = await listed((k) => ({
      ...listingOf(k.taker, 'http://taker.test/v1/data', 5_000),
      tiers: [
        { tier: 0, name: 'one call', kind: 'single', calls: 1, priceMsat: 5_000 },
        { tier: 1, name: 'five calls', kind: 'bundle', calls: 5, priceMsat: 20_000 },
      ],
    }));
    const proof = paidInvoice(m.k.taker, { timestampSec: m.nowSec, amountMsat: 50_000 }, 1);
    expect(await m.client.rate(m.id, { score: 4, ...proof }, m.k.b0.signer)).toMatchObject({
      ok: true,
      rating: { average: 4, count: 1, paidMsat: 20_000 },
    });
  });
});

describe('served rating sums stay readable by every buyer', () => {
  it('two ratings of a 2^53 - 1 msat tier: search still answers, paidMsat served as 2^53 - 1, the exact sum saved', async () => {
    const store = new MemoryRegistryStore();
    const clock = new VirtualClock();
    const registry = await Registry.open({ clock, network: 'regtest', store });
    const app = createRegistryApp(registry);
    const client = new RegistryClient({
      baseUrl: 'http://registry.test',
      fetch: async (r) => app.fetch(r),
      clock,
    });
    const k = keys();
    const reg = await client.register(listingOf(k.taker, 'http://taker.test/v1/data', MAX), k.taker.signer);
    if (!reg.ok) throw new Error(reg.message);
    const nowSec = Math.floor(clock.now() / 1000);
    for (const [i, payer] of [k.sock, k.b0].entries()) {
      const proof = paidInvoice(k.taker, { timestampSec: nowSec, amountMsat: MAX }, 1 + i);
      expect(await client.rate(reg.listing.id, { score: 5, ...proof }, payer.signer)).toMatchObject({
        ok: true,
      });
    }
    const found = await client.search({ capability: 'data:read' });
    expect(found.ok ? found.listings.map((l) => l.rating) : found.message).toEqual([
      { average: 5, count: 2, paidMsat: MAX },
    ]);
    await registry.flush();
    expect((await store.load())!.ratingSums).toEqual([
      {
        listingId: reg.listing.id,
        weightedScoreMsat: (BigInt(MAX) * 10n).toString(),
        paidMsat: (BigInt(MAX) * 2n).toString(),
        count: 2,
      },
    ]);
  });

  it('an average whose sums pass 2^53 is served as 5, not the 5.000000000000001 their rounding gives', async () => {
    const store = new MemoryRegistryStore();
    const clock = new VirtualClock();
    const k = keys();
    const listing = { ...listingOf(k.taker, 'http://taker.test/v1/data', MAX), id: 'ab'.repeat(16) };
    const paid = 2n ** 53n + 1n;
    await store.save({
      version: 2,
      listings: [{ ...listing, createdAt: 0, updatedAt: 0, signedAt: 0 }],
      ratings: [],
      ratingSums: [
        {
          listingId: listing.id,
          weightedScoreMsat: (paid * 5n).toString(),
          paidMsat: paid.toString(),
          count: 2,
        },
      ],
      tombstones: [],
    });
    expect(Number(paid * 5n) / Number(paid)).toBe(5.000000000000001);
    const registry = await Registry.open({ clock, network: 'regtest', store });
    expect(registry.get(listing.id)!.rating).toEqual({ average: 5, count: 2, paidMsat: MAX });
  });
});
