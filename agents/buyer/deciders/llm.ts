import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { Clock } from '../../../infra/time/clock.js';
import type { OfferTerms, DecisionRecord, Task } from '../types.js';
import { LabError } from '../../../infra/errors.js';
import {
  chatModelFromEnv,
  DEFAULT_MODEL_TIMEOUT_MS,
  TOOL_CALL_MAX_TOKENS,
} from '../../../infra/llm/chat-openai.js';
import { modelErrorName } from '../../../infra/llm/model-errors.js';
import { boundedText } from '../../../infra/llm/prompt-text.js';
import { withDeadline } from '../../../infra/time/deadline.js';
import { describeIssue, plainErrorMap } from '../../../infra/zod-wording.js';
import { toolCallNamed } from '../../llm-tool-call.js';
import { describeOffers, SYSTEM_PROMPT } from './llm-prompt.js';
import { acceptable, type Choice, type Decider } from './types.js';
import { cheapestOf, meetsReservation, type Reservation } from './rules.js';

/** Longest `offerId` and `reason` accepted from the model; a longer one is an invalid answer. */
export const OFFER_ID_LIMIT = 64;
export const REASON_LIMIT = 500;
/**
 * How long past a model's own request timeout the decider waits before cutting
 * the call itself: the client's error, which says whether the answer or its
 * body was late, is the one reported.
 */
export const DEADLINE_GRACE_MS = 1_000;

/** The tool the model answers with: which offer, and why (or `none`). */
export const chooseOfferSchema = z.object({
  offerId: z.string().max(OFFER_ID_LIMIT).describe("The id of the chosen offer, or 'none' to buy nothing"),
  reason: z.string().max(REASON_LIMIT).describe('One sentence: why this offer'),
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
  /** Environment to read OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL, OPENAI_TIMEOUT_MS from (default process.env). */
  env?: Record<string, string | undefined>;
  /** What to do when the model answers without a valid choice (default: fall back to the cheapest). */
  onInvalid?: 'cheapest' | 'none';
  /**
   * With streamed quotes: the first offer worth its price that meets this rule stops the
   * stream, and the model chooses among the offers in by then. Without it the stream runs to
   * its timeout or maximum count (a model cannot be asked at every arrival).
   */
  reservation?: Reservation;
  /**
   * Most ms one model call may take, whatever the model; then the fallback. Default: the
   * model's own `timeout` (OPENAI_TIMEOUT_MS for one built from `env`) plus
   * DEADLINE_GRACE_MS, or DEFAULT_MODEL_TIMEOUT_MS for a model without one.
   */
  timeoutMs?: number;
}

/**
 * A decider that asks a chat model, through a `choose_offer` tool call.
 * Every decision gets a record; one that asked the model names it (`model`)
 * with the call's latency (on the injected clock) and token usage (counts
 * kept only when they are non-negative integers). A model that answers with
 * no tool call (a `tool_calls` entry that is not an object with a string name
 * is none), bad arguments or an unknown id does not stop the buyer: the
 * decider falls back (cheapest by default) and marks the record.
 *
 * @example
 * const decider = createLlmDecider({ clock }); // OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL
 */
export function createLlmDecider(options: LlmDeciderOptions): Decider {
  const { clock, onInvalid = 'cheapest' } = options;
  const model =
    options.model ??
    chatModelFromEnv(options.env ?? process.env, 'the llm decider', { maxTokens: TOOL_CALL_MAX_TOKENS });
  const timeoutMs = options.timeoutMs ?? callDeadlineMs(model);
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
      const messages = [
        new SystemMessage(SYSTEM_PROMPT),
        new HumanMessage(describeOffers(offers, shown, idOf, task)),
      ];
      const { ai, failed } = await askModel(bound, messages, timeoutMs);
      const record: DecisionRecord = {
        decider: 'llm',
        reason: '',
        latencyMs: clock.now() - at,
        model: modelName,
        ...tokenCounts(ai?.usage_metadata),
      };
      const call = toolCallNamed(ai, 'choose_offer');
      const parsed = chooseOfferSchema.safeParse(call?.args, { error: plainErrorMap });
      const picked = parsed.success ? shown.find((i) => idOf(i) === parsed.data.offerId) : undefined;
      let choice: Choice;
      if (parsed.success && parsed.data.offerId === 'none') {
        choice = { index: -1, reason: `llm: none (${boundedText(parsed.data.reason, REASON_LIMIT)})` };
      } else if (parsed.success && picked !== undefined) {
        choice = { index: picked, reason: `llm: ${boundedText(parsed.data.reason, REASON_LIMIT)}` };
      } else {
        record.fallback = true;
        choice = fallback(offers, onInvalid, failed ?? `llm gave ${invalidAnswer(call, parsed)}`);
      }
      record.reason = choice.reason;
      if (choice.index >= 0) record.chosen = offers[choice.index]!.listing.id;
      return { ...choice, record };
    },
  };
}

/** The decider's own limit on one call of `model`: its request timeout and a grace, else the default. */
function callDeadlineMs(model: BaseChatModel): number {
  const own = (model as { timeout?: unknown }).timeout;
  return typeof own === 'number' && own > 0 ? own + DEADLINE_GRACE_MS : DEFAULT_MODEL_TIMEOUT_MS;
}

/**
 * One model call within `timeoutMs`. A provider error (500, 429, unreachable,
 * malformed, oversized) is no answer, named by its class, never its text
 * (which may echo the key).
 */
async function askModel(
  bound: { invoke(m: BaseMessage[], o: { signal: AbortSignal }): Promise<unknown> },
  messages: BaseMessage[],
  timeoutMs: number,
): Promise<{ ai?: AIMessage; failed?: string }> {
  try {
    const ai = await withDeadline((signal) => bound.invoke(messages, { signal }), timeoutMs, 'the model');
    return { ai: ai as AIMessage };
  } catch (err) {
    return { failed: `the model call failed (${modelErrorName(err)})` };
  }
}

/** The token counts the provider reported, each kept only when it is a count (a non-negative safe integer). */
function tokenCounts(
  usage: { input_tokens?: unknown; output_tokens?: unknown } | undefined,
): Pick<DecisionRecord, 'inputTokens' | 'outputTokens'> {
  const counts: Pick<DecisionRecord, 'inputTokens' | 'outputTokens'> = {};
  const [input, output] = [usage?.input_tokens, usage?.output_tokens];
  if (isCount(input)) counts.inputTokens = input;
  if (isCount(output)) counts.outputTokens = output;
  return counts;
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** What was wrong with an answer, in the decider's words (the model's id JSON-quoted, at most OFFER_ID_LIMIT long). */
function invalidAnswer(
  call: { args?: unknown } | undefined,
  parsed: ReturnType<typeof chooseOfferSchema.safeParse>,
): string {
  if (parsed.success) return `${JSON.stringify(parsed.data.offerId)}, not one of the offers shown`;
  if (!call) return 'no choose_offer call';
  const issue = parsed.error.issues[0]!;
  return `a choose_offer call with invalid arguments (${describeIssue(issue, 'arguments')})`;
}

/** The answer when the model gave none that counts: the cheapest acceptable offer per call served, or none. */
function fallback(offers: readonly OfferTerms[], onInvalid: 'cheapest' | 'none', problem: string): Choice {
  if (onInvalid === 'none') return { index: -1, reason: `${problem}; buying nothing` };
  const ok = acceptable(offers);
  const best = ok.length ? cheapestOf(offers, ok) : -1;
  return { index: best, reason: `${problem}; fell back to the cheapest acceptable offer` };
}
