import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type Decider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { makeMarket } from './market.js';
import { LabError } from '../../infra/errors.js';

async function marketWith(decider: (m: ReturnType<typeof makeMarket>) => Decider) {
  const m = makeMarket();
  m.addSeller({ name: 'alpha', priceMsat: 30_000, quality: 0.4 });
  m.addSeller({ name: 'beta', priceMsat: 10_000, quality: 0.3 });
  m.addSeller({ name: 'gamma', priceMsat: 20_000, quality: 0.95 });
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const agent = createBuyerAgent({
    name: 'llm-buyer',
    registry: await m.registry(),
    client,
    decider: decider(m),
    clock: m.clock,
  });
  return { m, agent };
}

const task = { id: 't-llm', capability: 'data', valueMsat: 100_000, calls: 1 };

describe('the LLM decider through the buyer graph, with fakeModel()', () => {
  it('buys the offer the model chose with choose_offer', async () => {
    const model = fakeModel().respondWithTools([
      { name: 'choose_offer', args: { offerId: 'offer-2', reason: 'gamma is the most reliable' } },
    ]);
    const { agent } = await marketWith((m) => createDecider('llm', { clock: m.clock, model }));
    const r = await agent.runTask(task);
    expect(r.purchases.map((p) => [p.seller, p.outcome])).toEqual([['gamma', 'success']]);
    expect(r.decisions).toMatchObject([{ decider: 'llm', reason: 'llm: gamma is the most reliable' }]);
    expect(r.decisions[0]!.fallback).toBeUndefined();
    // The model saw every live quote with its price; registry order is by price.
    const prompt = String(model.calls[0]!.messages.at(-1)!.content);
    expect(prompt).toContain('"seller":"beta","priceMsat":10000');
    expect(prompt).toContain('"seller":"alpha","priceMsat":30000');
  });

  it('falls back to the cheapest offer when the model names no valid offer', async () => {
    const model = fakeModel().respond(new AIMessage('I would go with the second one.'));
    const { agent } = await marketWith((m) => createDecider('llm', { clock: m.clock, model }));
    const r = await agent.runTask(task);
    expect(r.purchases[0]!.seller).toBe('beta');
    expect(r.decisions[0]).toMatchObject({
      fallback: true,
      reason: expect.stringMatching(/no choose_offer call/),
    });
  });

  it("buys nothing when the model answers 'none'", async () => {
    const model = fakeModel().respondWithTools([
      { name: 'choose_offer', args: { offerId: 'none', reason: 'too dear' } },
    ]);
    const { m, agent } = await marketWith((mk) => createDecider('llm', { clock: mk.clock, model }));
    const before = await m.balance(m.buyer);
    const r = await agent.runTask(task);
    expect(r).toMatchObject({ done: false, stopReason: 'no_acceptable_offer', purchases: [] });
    expect(await m.balance(m.buyer)).toBe(before);
  });

  it('fails at construction without an API key, saying which variables it reads', () => {
    let err: unknown;
    try {
      createDecider('llm', { clock: makeMarket().clock, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({
      code: 'missing_api_key',
      message: expect.stringMatching(/OPENAI_API_KEY.*OPENAI_MODEL.*OPENAI_BASE_URL/),
    });
  });
});

describe('the real ChatOpenAI client against a local OpenAI-compatible server (real socket)', () => {
  const requests: { path: string; auth?: string; body: Record<string, unknown> }[] = [];
  let server: ReturnType<typeof serve>;
  let baseUrl: string;

  beforeAll(async () => {
    const app = new Hono();
    app.post('/v1/chat/completions', async (c) => {
      requests.push({ path: c.req.path, auth: c.req.header('authorization'), body: await c.req.json() });
      return c.json({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1_767_225_600,
        model: 'lab-model',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: {
                    name: 'choose_offer',
                    arguments: JSON.stringify({ offerId: 'offer-2', reason: 'cheap enough' }),
                  },
                },
              ],
            },
          },
        ],
        usage: { prompt_tokens: 321, completion_tokens: 23, total_tokens: 344 },
      });
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the offers with a forced choose_offer tool and parses the tool call and usage back', async () => {
    const env = { OPENAI_API_KEY: 'sk-lab', OPENAI_MODEL: 'lab-model', OPENAI_BASE_URL: baseUrl };
    const { agent } = await marketWith((m) => createDecider({ name: 'llm' }, { clock: m.clock, env }));
    const r = await agent.runTask(task);

    expect(requests).toHaveLength(1);
    const { auth, body } = requests[0]!;
    expect(auth).toBe('Bearer sk-lab');
    expect(body.model).toBe('lab-model');
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'choose_offer' } });
    const tools = body.tools as {
      type: string;
      function: { name: string; parameters: { properties: object } };
    }[];
    expect(tools.map((t) => t.function.name)).toEqual(['choose_offer']);
    expect(Object.keys(tools[0]!.function.parameters.properties)).toEqual(['offerId', 'reason']);
    const messages = body.messages as { role: string; content: string }[];
    expect(messages.map((msg) => msg.role)).toEqual(['system', 'user']);
    expect(messages[1]!.content).toContain('"id":"offer-2","seller":"gamma"');

    expect(r.purchases.map((p) => [p.seller, p.outcome])).toEqual([['gamma', 'success']]);
    expect(r.decisions[0]).toMatchObject({
      model: 'lab-model',
      inputTokens: 321,
      outputTokens: 23,
      reason: 'llm: cheap enough',
    });
  });
});

describe('a model error after the task already paid: runTask still reports the spend', () => {
  class InternalServerError extends Error {
    status = 500;
  }
  const twoCalls = { id: 't-2calls', capability: 'data', valueMsat: 100_000, calls: 2 };

  /** Two single-call sellers; the model picks alpha, then fails with a 500 that echoes a key. */
  async function failingSecondTime(onInvalid: 'cheapest' | 'none') {
    const m = makeMarket();
    m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 1 });
    m.addSeller({ name: 'beta', priceMsat: 12_000, maxCalls: 1 });
    const model = fakeModel()
      .respondWithTools([{ name: 'choose_offer', args: { offerId: 'offer-1', reason: 'cheapest' } }])
      .respond(new InternalServerError('500 upstream exploded, key sk-lab-secret-0123456789'));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const agent = createBuyerAgent({
      name: 'llm-buyer',
      registry: await m.registry(),
      client,
      decider: createDecider({ name: 'llm', onInvalid }, { clock: m.clock, model }),
      clock: m.clock,
    });
    return agent.runTask(twoCalls);
  }

  it('falls back to the cheapest offer for the second call: done, 20,000 msat spent, the reason naming InternalServerError', async () => {
    const r = await failingSecondTime('cheapest');
    expect([r.stopReason, r.spentMsat, r.purchases.map((p) => p.seller)]).toEqual([
      'done',
      20_000,
      ['alpha', 'alpha'],
    ]);
    expect(r.decisions[1]).toMatchObject({
      fallback: true,
      reason:
        'the model call failed (InternalServerError, HTTP 500); fell back to the cheapest acceptable offer',
    });
    expect(JSON.stringify(r)).not.toContain('sk-lab-secret');
  });

  it("with onInvalid 'none' stops as no_acceptable_offer and reports the 10,000 msat already paid", async () => {
    const r = await failingSecondTime('none');
    expect([r.stopReason, r.spentMsat, r.calls, r.purchases.length]).toEqual([
      'no_acceptable_offer',
      10_000,
      1,
      1,
    ]);
    expect(r.decisions[1]!.reason).toBe(
      'the model call failed (InternalServerError, HTTP 500); buying nothing',
    );
  });

  it('a custom decider that throws on its second choice ends the task as no_acceptable_offer with its 10,000 msat reported', async () => {
    const m = makeMarket();
    m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 1 });
    let n = 0;
    const decider: Decider = {
      name: 'custom',
      async choose() {
        if (n++ > 0) throw new TypeError('boom');
        return { index: 0, reason: 'first', record: { decider: 'custom', reason: 'first', latencyMs: 0 } };
      },
    };
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const agent = createBuyerAgent({
      name: 'b',
      registry: await m.registry(),
      client,
      decider,
      clock: m.clock,
    });
    const r = await agent.runTask(twoCalls);
    expect([r.stopReason, r.spentMsat, r.calls]).toEqual(['no_acceptable_offer', 10_000, 1]);
    expect(r.decisions[1]).toEqual({
      decider: 'custom',
      reason: 'the custom decider failed (TypeError); buying nothing',
      latencyMs: 0,
      fallback: true,
    });
  });
});
