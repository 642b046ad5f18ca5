/**
 * Deciders compare offers for different tiers per task call served: a
 * 10-call bundle is weighed against a single call by its price (and
 * surplus) per call, not by its whole price. Before, the whole price was
 * compared, so a single call always looked cheaper than a bundle serving
 * the rest of the task, and a bundle's surplus over ten calls outweighed a
 * better single call.
 */
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { describe, expect, it } from 'vitest';
import {
  createDecider,
  firstAcceptableDecider,
  thompsonDecider,
  type Decider,
} from '../../agents/buyer/deciders/index.js';
import type { OfferTerms, Task } from '../../agents/buyer/types.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { Listing, ListingTier } from '../../services/registry/types.js';

/** Ten calls worth 100,000 msat: a call is worth 10,000. */
const task: Task = { id: 't', capability: 'data', calls: 10, valueMsat: 100_000 };

/** An offer of a seller of quality 1 for `tier`, serving `covers` of the task's calls (worth 10,000 each). */
function offer(id: string, tier: ListingTier, covers: number): OfferTerms {
  const listing: Listing = {
    id,
    name: id,
    url: `http://${id}.test/v1/data`,
    category: 'data',
    capabilities: ['data'],
    tiers: [tier],
    nodePubkey: '02'.padEnd(66, '0'),
    quality: 1,
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
  return { listing, source: 'challenge', priceMsat: tier.priceMsat, covers, valueMsat: covers * 10_000 };
}

const single = offer('single', { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 2_000 }, 1);
const bundle = (priceMsat: number) =>
  offer('bundle', { tier: 0, name: '10 calls', kind: 'bundle', calls: 10, priceMsat }, 10);

async function chosen(d: Decider, offers: OfferTerms[]): Promise<[string | undefined, string]> {
  const c = await d.choose(offers, task);
  return [c.index < 0 ? undefined : offers[c.index]!.listing.id, c.reason];
}

describe('deciders compare offers per task call served', () => {
  it('cheapest: a 16,000 bundle serving 10 calls (1,600 per call) beats a 2,000 single call', async () => {
    const d = createDecider({ name: 'cheapest' }, { clock: new VirtualClock() });
    expect(await chosen(d, [single, bundle(16_000)])).toEqual([
      'bundle',
      'cheapest: bundle at 16000 msat for 10 calls',
    ]);
  });

  it('best_value: a single call (surplus 8,000 per call) beats a 45,000 bundle (surplus 55,000 over 10 calls, 5,500 per call)', async () => {
    const d = createDecider({ name: 'best_value' }, { clock: new VirtualClock() });
    expect(await chosen(d, [bundle(45_000), single])).toEqual([
      'single',
      'best_value: single, trust 1.00, surplus 8000 msat per call',
    ]);
  });

  it('thompson, sure of delivery: a single call beats a 45,000 bundle in all 20 decisions of seed 1', async () => {
    const d = thompsonDecider(createRng(1), { prior: { successes: 1_000_000, failures: 1 } });
    const picks: string[] = [];
    for (let i = 0; i < 20; i++) picks.push((await chosen(d, [bundle(45_000), single]))[0]!);
    expect(picks).toEqual(Array(20).fill('single'));
  });

  it('first_acceptable: a 16,000 bundle meets maxPriceMsat 2,000 (1,600 per call); a 45,000 bundle misses minSurplusMsat 6,000 (5,500 per call) and the single call (8,000) is taken', async () => {
    const ceiling = firstAcceptableDecider({ reservation: { maxPriceMsat: 2_000 } });
    expect(await chosen(ceiling, [bundle(16_000), single])).toEqual([
      'bundle',
      'first_acceptable: bundle at 16000 msat for 10 calls',
    ]);
    const floor = firstAcceptableDecider({ reservation: { minSurplusMsat: 6_000 } });
    expect(await chosen(floor, [bundle(45_000), single])).toEqual([
      'single',
      'first_acceptable: single at 2000 msat',
    ]);
  });

  it('llm falling back (no valid answer): the cheapest per call, the 16,000 bundle, not the 2,000 single call', async () => {
    const model = fakeModel().respond(new AIMessage('the second one'));
    const d = createDecider({ name: 'llm' }, { clock: new VirtualClock(), model });
    expect(await chosen(d, [single, bundle(16_000)])).toEqual([
      'bundle',
      'llm gave no choose_offer call; fell back to the cheapest acceptable offer',
    ]);
  });

  it("llm: the prompt shows each offer's price per call served (2,000 for the single call, 1,600 for the 16,000 bundle)", async () => {
    const model = fakeModel().respondWithTools([
      { name: 'choose_offer', args: { offerId: 'offer-2', reason: 'cheaper per call' } },
    ]);
    const d = createDecider({ name: 'llm' }, { clock: new VirtualClock(), model });
    expect(await chosen(d, [single, bundle(16_000)])).toEqual(['bundle', 'llm: cheaper per call']);
    const prompt = String(model.calls[0]!.messages.at(-1)!.content);
    expect(prompt).toContain(
      '"priceMsat":2000,"source":"challenge","callsServed":1,"pricePerCallServedMsat":2000,',
    );
    expect(prompt).toContain(
      '"priceMsat":16000,"source":"challenge","callsServed":10,"pricePerCallServedMsat":1600,',
    );
    expect(String(model.calls[0]!.messages[0]!.content)).toContain('comparing prices per call served');
  });
});
