import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { fakeModel } from '@langchain/core/testing';
import { describe, expect, it } from 'vitest';
import {
  createBuyerAgent,
  createDecider,
  type DeciderSpec,
  type QuotingMode,
  type Task,
} from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { drive, makeMarket, type Market, type SellerSpec } from './market.js';

/** Three sellers of one capability: the faster the quote, the higher the price. */
const SELLERS: SellerSpec[] = [
  { name: 'fast', priceMsat: 9_000, quoteDelayMs: 50 },
  { name: 'middling', priceMsat: 6_000, quoteDelayMs: 400 },
  { name: 'slow', priceMsat: 3_000, quoteDelayMs: 1_500 },
];

async function run(
  decider: DeciderSpec,
  quoting: QuotingMode,
  task: Partial<Task> = {},
  model?: BaseChatModel,
) {
  const m = makeMarket();
  for (const spec of SELLERS) m.addSeller(spec);
  const registry = await m.registry();
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const agent = createBuyerAgent({
    name: 'buyer-1',
    registry,
    client,
    decider: createDecider(decider, { clock: m.clock, ...(model && { model }) }),
    clock: m.clock,
    quoting,
  });
  const r = await drive(
    m.clock,
    agent.runTask({ id: 't1', capability: 'data', valueMsat: 20_000, calls: 1, ...task }),
  );
  return { m, r };
}

const bought = (r: Awaited<ReturnType<typeof run>>['r']) =>
  r.purchases.map((p) => ({
    seller: p.seller,
    paidMsat: p.paidMsat,
    quoteDelayMs: p.quoteDelayMs,
    arrivalRank: p.arrivalRank,
  }));
const quoteMs = (r: Awaited<ReturnType<typeof run>>['r']) =>
  r.steps.find((s) => s.node === 'quote')!.durationMs;
const challenges = (m: Market) => m.sellers.map((s) => s.events.filter((e) => e.type === 'challenge').length);

const stream = (over: Partial<Extract<QuotingMode, { mode: 'stream' }>> = {}): QuotingMode => ({
  mode: 'stream',
  timeoutMs: 5_000,
  maxQuotes: 10,
  ...over,
});

describe('quoting: all quotes or a stream handed to the decider in arrival order', () => {
  it('all: the cheapest decider waits 1500 ms for every quote and buys the slow cheap seller (rank 3)', async () => {
    const { m, r } = await run({ name: 'cheapest' }, { mode: 'all' });
    expect(bought(r)).toEqual([{ seller: 'slow', paidMsat: 3_000, quoteDelayMs: 1_500, arrivalRank: 3 }]);
    expect(quoteMs(r)).toBe(1_500);
    expect(challenges(m)).toEqual([1, 1, 1]);
  });

  it('stream: first-acceptable in arrival order takes the fast pricey quote after 50 ms', async () => {
    const { r } = await run({ name: 'first_acceptable', order: 'arrival' }, stream());
    expect(bought(r)).toEqual([{ seller: 'fast', paidMsat: 9_000, quoteDelayMs: 50, arrivalRank: 1 }]);
    expect(quoteMs(r)).toBe(50);
  });

  it('stream: a max-price reservation of 7000 msat skips the fast quote and takes the middling one at 400 ms', async () => {
    const { r } = await run(
      { name: 'first_acceptable', order: 'arrival', reservation: { maxPriceMsat: 7_000 } },
      stream(),
    );
    expect(bought(r)).toEqual([{ seller: 'middling', paidMsat: 6_000, quoteDelayMs: 400, arrivalRank: 2 }]);
    expect(quoteMs(r)).toBe(400);
  });

  it('stream: a min-surplus reservation of 6000 msat on a 10000 msat task waits for the slow cheap quote', async () => {
    const { r } = await run(
      { name: 'first_acceptable', order: 'arrival', reservation: { minSurplusMsat: 6_000 } },
      stream(),
      { valueMsat: 10_000 },
    );
    expect(bought(r)).toEqual([{ seller: 'slow', paidMsat: 3_000, quoteDelayMs: 1_500, arrivalRank: 3 }]);
  });

  it('stream: the cheapest decider (no early acceptance) decides at the 1000 ms timeout among the quotes in by then', async () => {
    const { r } = await run({ name: 'cheapest' }, stream({ timeoutMs: 1_000 }));
    expect(bought(r)).toEqual([{ seller: 'middling', paidMsat: 6_000, quoteDelayMs: 400, arrivalRank: 2 }]);
    expect(quoteMs(r)).toBe(1_000);
  });

  it('stream: after maxQuotes = 2 offers the cheapest decider picks between the first two to arrive', async () => {
    const { r } = await run({ name: 'cheapest' }, stream({ maxQuotes: 2 }));
    expect(bought(r)).toEqual([{ seller: 'middling', paidMsat: 6_000, quoteDelayMs: 400, arrivalRank: 2 }]);
    expect(quoteMs(r)).toBe(400);
  });

  it('stream: the LLM decider with a 7000 msat max-price reservation stops at the middling quote (400 ms); the model chooses among the two in', async () => {
    const model = fakeModel().respondWithTools([
      // Offers are listed in registry (price) order: offer-1 is middling, offer-2 fast.
      { name: 'choose_offer', args: { offerId: 'offer-1', reason: 'cheaper of the two' } },
    ]);
    const { r } = await run({ name: 'llm', reservation: { maxPriceMsat: 7_000 } }, stream(), {}, model);
    expect(bought(r)).toEqual([{ seller: 'middling', paidMsat: 6_000, quoteDelayMs: 400, arrivalRank: 2 }]);
    expect(quoteMs(r)).toBe(400);
    const prompt = String(model.calls[0]!.messages.at(-1)!.content);
    expect(['fast', 'middling', 'slow'].map((s) => prompt.includes(`"seller":"${s}"`))).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('stream: the LLM decider without a reservation waits for every quote (1500 ms) before asking the model', async () => {
    const model = fakeModel().respondWithTools([
      { name: 'choose_offer', args: { offerId: 'offer-3', reason: 'cheapest' } },
    ]);
    const { r } = await run({ name: 'llm' }, stream(), {}, model);
    expect(quoteMs(r)).toBe(1_500);
    expect(model.calls).toHaveLength(1);
  });

  it('first-acceptable in registry order (the default) buys the first listed acceptable seller whatever its arrival', async () => {
    const { r } = await run({ name: 'first_acceptable' }, { mode: 'all' });
    // The registry sorts by price: the slow cheap seller is listed first.
    expect(bought(r)).toEqual([{ seller: 'slow', paidMsat: 3_000, quoteDelayMs: 1_500, arrivalRank: 3 }]);
  });

  it('refuses a stream without a positive timeout or count, naming the field', async () => {
    await expect(run({ name: 'cheapest' }, stream({ timeoutMs: 0 }))).rejects.toThrow(
      'quoting.timeoutMs must be a positive number of ms, got 0',
    );
    await expect(run({ name: 'cheapest' }, stream({ maxQuotes: 0 }))).rejects.toThrow(
      'quoting.maxQuotes must be a positive integer, got 0',
    );
  });
});
