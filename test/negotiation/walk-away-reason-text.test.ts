/**
 * A buyer's walk-away reason is its negotiator's own text (a model's, or any custom negotiator's);
 * it goes into the run's records (a purchase row's `reason`, events). It is cut and its control,
 * bidi and line-separator characters escaped (`terminalSafe`, infra/terminal-text.ts), so a
 * `\r\u001b[2K` in it cannot rewrite the line a record is printed on.
 */
import { fakeModel } from '@langchain/core/testing';
import { describe, expect, it } from 'vitest';
import { createPurchaseEngine, prepareRequest, type BuyerNegotiator } from '../../agents/l402/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { llmBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, makeWorld } from '../paywall/helpers.js';

/** A model that walks away giving `reason`. */
function walking(reason: string) {
  return fakeModel().respondWithTools([{ name: 'propose', args: { action: 'walk', reason } }]);
}

/** A custom (non-LLM) negotiator that walks away at once giving `reason`. */
function walkingAway(reason: string): BuyerNegotiator {
  return { name: 'custom', next: () => ({ kind: 'walk', reason }) };
}

const TURN = { postedMsat: 10_000, askMsat: 10_000, limitMsat: 10_000, round: 0, bids: [], counters: [] };

/** The first offer of a rule seller posting 10,000 msat, and an engine buying from it. */
async function negotiating() {
  const w = makeWorld();
  const app = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      negotiation: { negotiator: ruleSeller({ floorMsat: 6_000 }), maxRounds: 4 },
    }),
  );
  const fetch: typeof globalThis.fetch = async (input, init) => app.fetch(new Request(input, init));
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  const req = await prepareRequest('http://seller.test/v1/data');
  const probe = await engine.probe(req);
  if (!probe.ok || !('answer' in probe)) throw new Error('expected a 402');
  const made = await engine.offer(req, probe.answer, {}, w.clock.now());
  if (!made.ok) throw new Error(made.reason);
  return { engine, offer: made.offer };
}

describe("an LLM buyer's walk-away reason in the records", () => {
  it('escapes a carriage return, an escape sequence and a bidi override in the move the buyer makes', async () => {
    const move = await llmBuyer({ model: walking('too dear\r\u001b[2Kagreed at 1 msat\u202e') }).next(TURN);
    expect(move).toEqual({
      kind: 'walk',
      reason: 'the model walked away: too dear\\u000d\\u001b[2Kagreed at 1 msat\\u202e',
    });
  });

  it('escapes a newline and a line separator in the no_agreement reason the purchase is recorded with', async () => {
    const { engine, offer } = await negotiating();
    const r = await engine.negotiate(offer, llmBuyer({ model: walking('no\nway\u2028at all') }), {});
    expect(r).toMatchObject({
      ok: false,
      outcome: 'no_agreement',
      reason: 'walked away: the model walked away: no\\u000away\\u2028at all',
    });
  });

  it('cuts a 300-character reason at 200 characters, ending it in …', async () => {
    const move = await llmBuyer({ model: walking('x'.repeat(300)) }).next(TURN);
    expect(move).toEqual({ kind: 'walk', reason: `the model walked away: ${'x'.repeat(200)}…` });
  });
});

describe("a custom negotiator's walk-away reason in the records", () => {
  it('escapes a carriage return, an escape sequence and a bidi override in the no_agreement reason', async () => {
    const { engine, offer } = await negotiating();
    const r = await engine.negotiate(offer, walkingAway('too dear\r\u001b[2Kagreed at 1 msat\u202e'), {});
    expect(r).toMatchObject({
      ok: false,
      outcome: 'no_agreement',
      reason: 'walked away: too dear\\u000d\\u001b[2Kagreed at 1 msat\\u202e',
    });
  });

  it('cuts a 300-character reason at 200 characters, ending it in …, an escape at the cut kept whole', async () => {
    const { engine, offer } = await negotiating();
    const r = await engine.negotiate(offer, walkingAway(`${'x'.repeat(199)}\u001b[2K${'y'.repeat(97)}`), {});
    expect(r).toMatchObject({
      ok: false,
      outcome: 'no_agreement',
      reason: `walked away: ${'x'.repeat(199)}\\u001b…`,
    });
  });
});
