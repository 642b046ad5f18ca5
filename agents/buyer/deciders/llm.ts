import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import type { Clock } from '../../../infra/time/clock.js';
import type { OfferTerms, DecisionRecord, Task } from '../types.js';
import { trust } from './rules.js';
import { type Choice, type Decider } from './types.js';
import { LabError } from '../../../infra/errors.js';

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

const SYSTEM = [
  'You are the purchasing step of a buyer agent that pays for API calls over Lightning (L402).',
  'Pick the offer that best serves the task: it must not cost more than the value of the calls it serves;',
  'prefer reliable sellers (quality, rating) and low prices. Answer only by calling choose_offer.',
].join(' ');

/** Where the LLM decider gets its model: given, or built from OPENAI_* environment variables. */
export interface LlmDeciderOptions {
  clock: Clock;
  /** A chat model with tool calling (tests pass `fakeModel()`); default: ChatOpenAI from `env`. */
  model?: BaseChatModel;
  /** Environment to read OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL from (default process.env). */
  env?: Record<string, string | undefined>;
  /** What to do when the model answers without a valid choice (default: fall back to the cheapest). */
  onInvalid?: 'cheapest' | 'none';
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

  return {
    name: 'llm',
    async choose(offers: readonly OfferTerms[], task: Task) {
      const at = clock.now();
      const ids = offers.map((_, i) => `offer-${i + 1}`);
      const ai = (await bound.invoke([
        new SystemMessage(SYSTEM),
        new HumanMessage(describe(offers, ids, task)),
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
      let choice: Choice;
      if (parsed.success && parsed.data.offerId === 'none') {
        choice = { index: -1, reason: `llm: none (${parsed.data.reason})` };
      } else if (parsed.success && ids.includes(parsed.data.offerId)) {
        choice = { index: ids.indexOf(parsed.data.offerId), reason: `llm: ${parsed.data.reason}` };
      } else {
        record.fallback = true;
        const said = parsed.success
          ? `unknown offer ${JSON.stringify(parsed.data.offerId)}`
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

/** The prompt's facts: the task and one line of JSON per offer. */
function describe(offers: readonly OfferTerms[], ids: string[], task: Task): string {
  const lines = offers.map((c, i) => ({
    id: ids[i],
    seller: c.listing.name,
    priceMsat: c.priceMsat,
    source: c.source,
    callsServed: c.covers,
    valueOfThoseCallsMsat: c.valueMsat,
    quality: c.listing.quality ?? null,
    rating: c.listing.rating ?? null,
    latencyMs: c.listing.health?.latencyMs ?? null,
    trust: Number(trust(c).toFixed(2)),
  }));
  return [
    `Task ${task.id}: capability "${task.capability}", ${task.calls} call(s), worth ${task.valueMsat} msat in total.`,
    'Offers:',
    ...lines.map((o) => JSON.stringify(o)),
  ].join('\n');
}
