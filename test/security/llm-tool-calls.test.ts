/**
 * A provider's reply decides the shape of `tool_calls`: the LLM decider counts only entries that
 * are objects with a string name, so any other shape is an invalid answer that falls back (not a
 * TypeError that stops the task), and the record still names the model that was asked. Token
 * counts are kept only when they are non-negative integers.
 */
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import type { OfferTerms } from '../../agents/buyer/types.js';
import { createL402Client } from '../../agents/l402/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { Listing } from '../../services/registry/types.js';
import { makeMarket } from '../buyer/market.js';
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

const offers = [offer('fair', 4_000), offer('other', 4_500)];
const task = { id: 't1', capability: 'data', valueMsat: 5_000, calls: 1 };
const NO_CALL = 'llm gave no choose_offer call; fell back to the cheapest acceptable offer';
const assistant = (toolCalls: unknown) => ({ role: 'assistant', content: null, tool_calls: toolCalls });
const call = (args: Record<string, unknown>) => ({
  id: 'call_1',
  type: 'function',
  function: { name: 'choose_offer', arguments: JSON.stringify(args) },
});

describe('the LLM decider on the real ChatOpenAI client, given tool_calls of any shape', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: 'silent' });
  });
  afterAll(() => fake.close());
  const env = () => ({ OPENAI_API_KEY: 'sk-lab', OPENAI_MODEL: 'lab-model', OPENAI_BASE_URL: fake.baseUrl });

  it.each([
    ['a string', 'offer-1'],
    ['[1]', [1]],
    ['an entry without function', [{ id: 'call_1', type: 'function' }]],
  ])(
    'tool_calls %s is no call: fallback to the cheapest, the record naming the model and its tokens',
    async (_, toolCalls) => {
      fake.state.mode = { kind: 'reply', message: assistant(toolCalls) };
      const decider = createDecider('llm', { clock: new VirtualClock(), env: env() });

      const c = await decider.choose(offers, task);

      expect(c).toEqual({
        index: 0,
        reason: NO_CALL,
        record: {
          decider: 'llm',
          reason: NO_CALL,
          latencyMs: 0,
          model: 'lab-model',
          inputTokens: 10,
          outputTokens: 2,
          fallback: true,
          chosen: 'id-fair',
        },
      });
    },
  );

  it("a buyer with onInvalid 'cheapest' given an entry without function buys the cheaper seller: done, 10,000 msat", async () => {
    fake.state.mode = { kind: 'reply', message: assistant([{ id: 'call_1', type: 'function' }]) };
    const m = makeMarket();
    m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    m.addSeller({ name: 'beta', priceMsat: 12_000 });
    const agent = createBuyerAgent({
      name: 'b',
      registry: await m.registry(),
      clock: m.clock,
      client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
      decider: createDecider({ name: 'llm', onInvalid: 'cheapest' }, { clock: m.clock, env: env() }),
    });

    const r = await agent.runTask({ id: 't', capability: 'data', valueMsat: 100_000, calls: 1 });

    expect(r).toMatchObject({ done: true, stopReason: 'done' });
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([['alpha', 'success', 10_000]]);
    expect(r.decisions).toMatchObject([
      { decider: 'llm', model: 'lab-model', fallback: true, reason: NO_CALL },
    ]);
  });

  it('usage of "lots" input and -5 output tokens is not recorded; the valid choice stands', async () => {
    fake.state.mode = {
      kind: 'reply',
      message: assistant([call({ offerId: 'offer-2', reason: 'ok' })]),
      usage: { prompt_tokens: 'lots', completion_tokens: -5, total_tokens: 1e308 },
    };
    const decider = createDecider('llm', { clock: new VirtualClock(), env: env() });

    const c = await decider.choose(offers, task);

    expect(c).toEqual({
      index: 1,
      reason: 'llm: ok',
      record: { decider: 'llm', reason: 'llm: ok', latencyMs: 0, model: 'lab-model', chosen: 'id-other' },
    });
    expect(Object.keys(c.record)).not.toContain('inputTokens');
  });
});

describe('token counts from any model', () => {
  it('1.5 input and 2^53 output tokens are not recorded; 7 and 0 are', async () => {
    const answer = (input: number, output: number) =>
      new AIMessage({
        content: '',
        tool_calls: [{ name: 'choose_offer', args: { offerId: 'offer-1', reason: 'r' }, id: 'c1' }],
        usage_metadata: { input_tokens: input, output_tokens: output, total_tokens: 0 },
      });
    const model = fakeModel()
      .respond(answer(1.5, 2 ** 53))
      .respond(answer(7, 0));
    const decider = createDecider('llm', { clock: new VirtualClock(), model });

    const first = await decider.choose(offers, task);
    const second = await decider.choose(offers, task);

    expect([first.record.inputTokens, first.record.outputTokens]).toEqual([undefined, undefined]);
    expect([second.record.inputTokens, second.record.outputTokens]).toEqual([7, 0]);
  });
});
