import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecider } from '../../agents/buyer/index.js';
import type { OfferTerms } from '../../agents/buyer/types.js';
import { DEFAULT_MODEL_TIMEOUT_MS } from '../../infra/llm/chat-openai.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { Listing } from '../../services/registry/types.js';
import { startFakeOpenAi } from './support/fake-openai.js';

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

const offers = [offer('cheap', 4_000), offer('steady', 4_500)];
const task = { id: 't1', capability: 'data', valueMsat: 5_000, calls: 1 };

describe('the llm decider waits as long as the model’s own timeout (OPENAI_TIMEOUT_MS), not a fixed 30 s', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: 'silent' });
  });
  afterAll(() => fake.close());

  it('OPENAI_TIMEOUT_MS=35000 and a server answering after 30.5 s: the model’s choice is bought, no fallback', async () => {
    fake.state.mode = {
      kind: 'tool',
      name: 'choose_offer',
      args: { offerId: 'offer-2', reason: 'slow but sure' },
      afterMs: DEFAULT_MODEL_TIMEOUT_MS + 500,
    };
    const env = {
      OPENAI_API_KEY: 'sk-lab',
      OPENAI_MODEL: 'lab-model',
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_TIMEOUT_MS: '35000',
    };
    const decider = createDecider('llm', { clock: new VirtualClock(), env });
    const c = await decider.choose(offers, task);
    expect({ index: c.index, reason: c.reason, fallback: c.record.fallback }).toEqual({
      index: 1,
      reason: 'llm: slow but sure',
      fallback: undefined,
    });
  }, 60_000);

  it('a given ChatOpenAI with a 200 ms timeout whose transport ignores the abort: the decider cuts the call itself at 1,200 ms (its timeout and a 1 s grace)', async () => {
    const model = new ChatOpenAI({
      apiKey: 'sk-lab',
      model: 'lab-model',
      timeout: 200,
      maxRetries: 0,
      configuration: { baseURL: fake.baseUrl, fetch: () => new Promise<Response>(() => {}) },
    });
    const decider = createDecider('llm', { clock: new VirtualClock(), model });
    const c = await decider.choose(offers, task);
    expect({ index: c.index, reason: c.reason }).toEqual({
      index: 0,
      reason:
        'the model call failed (the model gave no answer within 1200 ms); fell back to the cheapest acceptable offer',
    });
  });
});
