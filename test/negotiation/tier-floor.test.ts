/**
 * The paywall asks its negotiator at prices per call of the tier bid on (`pricedCalls`: default the
 * tier's `maxCalls`), so a negotiator's floor per call holds for a bundle or a pass whether or not it
 * looks at the tier: the LLM seller's too. Bids over a real socket.
 */
import { fakeModel } from '@langchain/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { llmSeller } from '../../agents/negotiation/index.js';
import { LabError } from '../../infra/errors.js';
import { listen, type Listening } from '../../services/http/listen.js';
import {
  l402Paywall,
  type NegotiationTurn,
  type PaywallTier,
  type SellerNegotiator,
} from '../../services/paywall/index.js';
import { appWith, makeWorld } from '../paywall/helpers.js';

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A single call at 2,000 msat and a 20-call bundle at 32,000. */
const TIERS: PaywallTier[] = [
  { tier: 0, price: 2_000, maxCalls: 1 },
  { tier: 1, price: 32_000, maxCalls: 20 },
];

/** `negotiator` behind a paywall selling `tiers`, served on 127.0.0.1; `bid(tier, msat)` answers "status reason price". */
async function serve(negotiator: SellerNegotiator, tiers: PaywallTier[] = TIERS) {
  const w = makeWorld();
  const paywall = l402Paywall({ ...w, node: w.seller, service: 'feed', tiers, negotiation: { negotiator } });
  server = await listen(appWith(paywall).fetch);
  const url = `${server.url}/v1/data`;
  return async (tier: number, msat: number) => {
    const res = await fetch(url, { headers: { 'L402-Tier': String(tier), 'L402-Bid': String(msat) } });
    const body = (await res.json()) as { reason?: string; error?: string; priceMsat?: number };
    return `${res.status} ${body.reason ?? body.error} ${body.priceMsat}`;
  };
}

describe('negotiation per call of the tier bid on', () => {
  it('an LLM seller (floor 1,200 a call) whose model accepts every bid agrees to 1,200 for a single call but counters 1,200 for the 20-call bundle at 24,000', async () => {
    let model = fakeModel();
    for (let i = 0; i < 2; i++)
      model = model.respondWithTools([{ name: 'reply', args: { action: 'accept' } }]);
    const bid = await serve(llmSeller({ model, floorMsat: 1_200 }));
    expect(await bid(0, 1_200)).toBe('402 offer_accepted 1200');
    expect(await bid(1, 1_200)).toBe('402 counter_offer 24000');
  });

  it('asks the negotiator per call (a 10-call bundle at 15,000 bid 3,005: posted 1,500, bid 300, calls 10; a tier of unlimited calls priced for 60 at 90,000 bid 59: bid 0) and multiplies its counter of 1,000 a call back', async () => {
    const turns: NegotiationTurn[] = [];
    const bid = await serve(
      {
        reply(t) {
          turns.push(t);
          return { kind: 'counter', priceMsat: 1_000 };
        },
      },
      [
        { tier: 0, price: 15_000, maxCalls: 10 },
        { tier: 1, price: 90_000, tokenLifetimeSec: 3_600, pricedCalls: 60 },
      ],
    );
    expect([await bid(0, 3_005), await bid(1, 59)]).toEqual([
      '402 counter_offer 10000',
      '402 counter_offer 60000',
    ]);
    const common = { service: 'feed', round: 0, maxRounds: 4 };
    expect(turns).toEqual([
      { ...common, tier: 0, calls: 10, postedMsat: 1_500, askMsat: 1_500, bidMsat: 300 },
      { ...common, tier: 1, calls: 60, postedMsat: 1_500, askMsat: 1_500, bidMsat: 0 },
    ]);
  });

  it.each([
    ['pricedCalls 0', { pricedCalls: 0 }, 'options.tiers[1].pricedCalls must be a positive integer, got 0'],
    [
      'pricedCalls 1.5',
      { pricedCalls: 1.5 },
      'options.tiers[1].pricedCalls must be a positive integer, got 1.5',
    ],
  ])('refuses a tier with %s when the paywall is built, naming it', (_what, bad, message) => {
    const w = makeWorld();
    const build = () =>
      l402Paywall({ ...w, node: w.seller, service: 'feed', tiers: [TIERS[0]!, { ...TIERS[1]!, ...bad }] });
    expect(build).toThrow(new LabError('invalid_paywall_options', message));
  });
});
