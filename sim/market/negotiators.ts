import { chatModelFromEnv, TOOL_CALL_MAX_TOKENS } from '../../infra/llm/chat-openai.js';
import type { BuyerNegotiator } from '../../agents/l402/index.js';
import { llmBuyer, llmSeller, ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import type { NegotiationOptions } from '../../services/paywall/index.js';
import { paywallNegotiation } from '../../services/sellers/negotiation.js';
import { sellerFloorMsat } from '../../services/sellers/rule-negotiator.js';
import type { BuyerNegotiatorSpec, SellerNegotiationSpec } from '../scenario/negotiation-schema.js';

/**
 * A negotiator's model answers with one tool call. Its request timeout is
 * OPENAI_TIMEOUT_MS, but a buyer's move is also held to its engine's
 * `requestTimeoutMs` and a seller's reply to the paywall's `replyTimeoutMs`,
 * whichever is shorter ends it.
 */
const LIMITS = { maxTokens: TOOL_CALL_MAX_TOKENS };

/** A seller group's paywall negotiation option (undefined: the seller does not negotiate). */
export function sellerNegotiation(
  spec: SellerNegotiationSpec | undefined,
  costMsat: number,
  env: Record<string, string | undefined> = process.env,
): NegotiationOptions | undefined {
  if (!spec) return undefined;
  const floorMsat = sellerFloorMsat(costMsat, spec.marginPct);
  const negotiator =
    spec.negotiator === 'llm'
      ? llmSeller({ model: chatModelFromEnv(env, 'the llm seller negotiator', LIMITS), floorMsat })
      : ruleSeller({ floorMsat });
  return paywallNegotiation(spec, negotiator);
}

/** A buyer group's negotiator (undefined for none: the buyer pays posted prices). */
export function buyerNegotiator(
  spec: BuyerNegotiatorSpec | undefined,
  env: Record<string, string | undefined> = process.env,
): BuyerNegotiator | undefined {
  if (!spec || spec.name === 'none') return undefined;
  if (spec.name === 'llm')
    return llmBuyer({ model: chatModelFromEnv(env, 'the llm buyer negotiator', LIMITS) });
  return ruleBuyer(spec.params);
}
