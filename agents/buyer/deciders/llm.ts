import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import type { Clock } from '../../../infra/time/clock.js';
import type { OfferTerms, DecisionRecord, Task } from '../types.js';
import { LabError } from '../../../infra/errors.js';
import { describeOffers, SYSTEM_PROMPT } from './llm-prompt.js';
import { acceptable, type Choice, type Decider } from './types.js';
import { meetsReservation, type Reservation } from './rules.js';

/** The tool the model answers with: which offer, and why (or `none`). */
export const chooseOfferSchema = z.object({
  offerId: z.string().describe("The id of the chosen offer, or 'none' to buy nothing"),
  reason: z.string().describe('One sentence: why this offer'),
});

const chooseOffer = tool(async (args) => JSON.stringify(args), {
  name: 'choose_offer',
  description: 'Choose the offer to buy for the task, or none.',
  schema: chooseOfferSchema,
});

/** Where the LLM decider gets its model: given, or built from OPENAI_* environment variables. */
export interface LlmDeciderOptions {
  clock: Clock;
  /** A chat model with tool calling (tests pass `fakeModel()`); default: ChatOpenAI from `env`. */
  model?: BaseChatModel;
  /** Environment to read OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL from (default process.env). */
  env?: Record<string, string | undefined>;
  /** What to do when the model answers without a valid choice (default: fall back to the cheapest). */
  onInvalid?: 'cheapest' | 'none';
  /**
   * With streamed quotes: the first offer worth its price that meets this rule stops the
   * stream, and the model chooses among the offers in by then. Without it the stream runs to
   * its timeout or maximum count (a model cannot be asked at every arrival).
   */
  reservation?: Reservation;
}

/** Builds ChatOpenAI from the environment; throws LabError('missing_api_key') without a key. */
export function chatModelFromEnv(env: Record<string, string | undefined>): ChatOpenAI {
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new LabError(
      'missing_api_key',
      'the llm decider needs OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL for any OpenAI-compatible server)',
    );
  }
  return new ChatOpenAI({
    model: env.OPENAI_MODEL || 'gpt-4o-mini',
    apiKey,
    temperature: 0,
    maxRetries: 0,
    ...(env.OPENAI_BASE_URL ? { configuration: { baseURL: env.OPENAI_BASE_URL } } : {}),
  });
}

/**
 * A decider that asks a chat model, through a `choose_offer` tool call.
 * Each call's latency (on the injected clock) and token usage are recorded.
 * A model that answers with no tool call or an unknown id does not stop the
 * buyer: the decider falls back (cheapest by default) and marks the record.
 *
 * @example
 * const decider = createLlmDecider({ clock }); // OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL
 */
export function createLlmDecider(options: LlmDeciderOptions): Decider {
  const { clock, onInvalid = 'cheapest' } = options;
  const model = options.model ?? chatModelFromEnv(options.env ?? process.env);
  if (typeof model.bindTools !== 'function') {
    throw new LabError(
      'invalid_decider_spec',
      'the llm decider needs a chat model that supports tool calling',
    );
  }
  const bound = model.bindTools([chooseOffer], { tool_choice: 'choose_offer' } as never);
  const modelName = (model as { model?: string }).model ?? model._llmType();

  const { reservation } = options;
  return {
    name: 'llm',
    ...(reservation && {
      accepts: (c: OfferTerms) => c.priceMsat <= c.valueMsat && meetsReservation(c, reservation),
    }),
    async choose(offers: readonly OfferTerms[], task: Task) {
      // The rule deciders' value filter first: the model never sees, and cannot pick, an offer dearer than its calls are worth.
      const shown = acceptable(offers);
      if (shown.length === 0) {
        const reason = 'no offer is worth its price for this task';
        return { index: -1, reason, record: { decider: 'llm', reason, latencyMs: 0 } };
      }
      const at = clock.now();
      const idOf = (i: number) => `offer-${i + 1}`;
      const ai = (await bound.invoke([
        new SystemMessage(SYSTEM_PROMPT),
        new HumanMessage(describeOffers(offers, shown, idOf, task)),
      ])) as AIMessage;
      const record: DecisionRecord = {
        decider: 'llm',
        reason: '',
        latencyMs: clock.now() - at,
        model: modelName,
        inputTokens: ai.usage_metadata?.input_tokens,
        outputTokens: ai.usage_metadata?.output_tokens,
      };
      const parsed = chooseOfferSchema.safeParse(ai.tool_calls?.find((t) => t.name === 'choose_offer')?.args);
      const picked = parsed.success ? shown.find((i) => idOf(i) === parsed.data.offerId) : undefined;
      let choice: Choice;
      if (parsed.success && parsed.data.offerId === 'none') {
        choice = { index: -1, reason: `llm: none (${parsed.data.reason})` };
      } else if (parsed.success && picked !== undefined) {
        choice = { index: picked, reason: `llm: ${parsed.data.reason}` };
      } else {
        record.fallback = true;
        const said = parsed.success
          ? `${JSON.stringify(parsed.data.offerId)}, not one of the offers shown`
          : 'no choose_offer call';
        choice = fallback(offers, onInvalid, said);
      }
      record.reason = choice.reason;
      if (choice.index >= 0) record.chosen = offers[choice.index]!.listing.id;
      return { ...choice, record };
    },
  };
}

function fallback(offers: readonly OfferTerms[], onInvalid: 'cheapest' | 'none', said: string): Choice {
  if (onInvalid === 'none') return { index: -1, reason: `llm gave ${said}; buying nothing` };
  let best = -1;
  offers.forEach((c, i) => {
    if (c.priceMsat <= c.valueMsat && (best < 0 || c.priceMsat < offers[best]!.priceMsat)) best = i;
  });
  return { index: best, reason: `llm gave ${said}; fell back to the cheapest acceptable offer` };
}
