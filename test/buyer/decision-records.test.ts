import { fakeModel } from '@langchain/core/testing';
import { describe, expect, it } from 'vitest';
import { createDecider } from '../../agents/buyer/index.js';
import type { OfferTerms } from '../../agents/buyer/types.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { Listing } from '../../services/registry/types.js';

function offer(name: string, priceMsat: number): OfferTerms {
  const listing: Listing = {
    id: `id-${name}`,
    name,
    url: `http://${name}.test/v1/data`,
    category: 'data',
    capabilities: ['data'],
    tiers: [{ tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat }],
    nodePubkey: `02${'11'.repeat(32)}`,
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
  return { listing, source: 'challenge', priceMsat, covers: 1, valueMsat: 5_000 };
}

const task = { id: 't1', capability: 'data', valueMsat: 5_000, calls: 1 };
const offers = [offer('a', 4_000), offer('b', 3_000)];

describe('TaskResult.decisions: one record per decision, by every decider; only a model call names a model', () => {
  it('the rule deciders and thompson each write a record with latency 0 and no model', async () => {
    const clock = new VirtualClock();
    const records = [];
    for (const name of ['cheapest', 'best_value', 'first_acceptable', 'random', 'thompson'] as const)
      records.push((await createDecider(name, { clock, rng: createRng(7) }).choose(offers, task)).record);
    expect(records).toEqual([
      { decider: 'cheapest', chosen: 'id-b', reason: 'cheapest: b at 3000 msat', latencyMs: 0 },
      {
        decider: 'best_value',
        chosen: 'id-b',
        reason: 'best_value: b, trust 0.50, surplus -500 msat per call',
        latencyMs: 0,
      },
      {
        decider: 'first_acceptable',
        chosen: 'id-a',
        reason: 'first_acceptable: a at 4000 msat',
        latencyMs: 0,
      },
      { decider: 'random', chosen: 'id-b', reason: 'random: b', latencyMs: 0 },
      { decider: 'thompson', reason: 'thompson: no offer has a positive expected surplus', latencyMs: 0 },
    ]);
    expect(records.filter((r) => r.model !== undefined)).toEqual([]);
  });

  it('the llm decider writes a record without a model when no offer is worth its price (the model not asked), and one naming it when asked', async () => {
    const model = fakeModel().respondWithTools([
      { name: 'choose_offer', args: { offerId: 'offer-1', reason: 'fair' } },
    ]);
    const decider = createDecider('llm', { clock: new VirtualClock(), model });
    const notAsked = (await decider.choose([offer('dear', 9_000)], task)).record;
    const asked = (await decider.choose([offer('fair', 4_000)], task)).record;
    expect(notAsked).toEqual({
      decider: 'llm',
      reason: 'no offer is worth its price for this task',
      latencyMs: 0,
    });
    expect(asked).toEqual({
      decider: 'llm',
      chosen: 'id-fair',
      reason: 'llm: fair',
      latencyMs: 0,
      model: 'fake-model-builder',
    });
    // Model calls are the records naming a model: 1 of 2 decisions, as many as the model saw.
    expect([[notAsked, asked].filter((r) => r.model !== undefined).length, model.calls.length]).toEqual([
      1, 1,
    ]);
  });
});
