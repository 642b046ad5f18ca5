import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { NegotiationTurn, SellerNegotiator, SellerReply } from '../../services/paywall/index.js';
import { askTool } from './model.js';

/** The tool the model answers with. */
export const replySchema = z.object({
  action: z.enum(['accept', 'counter', 'refuse']),
  priceMsat: z.number().int().positive().optional().describe("The counter price, in msat (with 'counter')"),
});

const reply = tool(async (args) => JSON.stringify(args), {
  name: 'reply',
  description: "Answer the buyer's bid.",
  schema: replySchema,
});

const SYSTEM = [
  "You sell one API call and answer a buyer's bid, in millisatoshi (msat). Sell as high as the buyer",
  'will pay, never below your floor. Answer only by calling reply.',
].join(' ');

/** Options of the LLM seller. */
export interface LlmSellerOptions {
  model: BaseChatModel;
  /** Cost plus margin per call: nothing the model says sells below it (the paywall shows it prices per call). */
  floorMsat: number;
}

/**
 * A seller negotiator that asks a chat model. Its answer is filtered by the
 * seller's floor (an accept of a bid below the floor, or a counter below it,
 * becomes a counter at the floor) and then by the paywall's bounds. A model
 * that answers nothing usable counters at the standing offer.
 */
export function llmSeller({ model, floorMsat }: LlmSellerOptions): SellerNegotiator {
  if (!Number.isSafeInteger(floorMsat) || floorMsat <= 0)
    throw new RangeError(`llmSeller: floorMsat must be a positive integer msat, got ${floorMsat}`);
  return {
    async reply(t: NegotiationTurn, signal?: AbortSignal): Promise<SellerReply> {
      const human = `Posted price ${t.postedMsat} msat; your standing offer ${t.askMsat} msat; your floor ${floorMsat} msat; the buyer bids ${t.bidMsat} msat; round ${t.round} of ${t.maxRounds}.`;
      const messages = [new SystemMessage(SYSTEM), new HumanMessage(human)];
      const args = await askTool(model, reply, replySchema, messages, signal);
      if (!args) return { kind: 'counter', priceMsat: t.askMsat };
      if (args.action === 'refuse') return { kind: 'refuse', reason: 'the seller declines' };
      if (args.action === 'accept')
        return t.bidMsat >= floorMsat ? { kind: 'accept' } : { kind: 'counter', priceMsat: floorMsat };
      return { kind: 'counter', priceMsat: Math.max(floorMsat, args.priceMsat ?? t.askMsat) };
    },
  };
}
