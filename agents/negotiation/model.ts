import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessage, BaseMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { z } from 'zod';
import { boundedText } from '../../infra/llm/prompt-text.js';
import { toolCallNamed } from '../llm-tool-call.js';

/**
 * Asks a chat model for one tool call and returns its arguments checked by
 * `schema`, or undefined when the model answered anything else (no call,
 * another tool, arguments that do not parse or are too long). A failed call
 * (the provider's 500, a timeout, `signal` aborted) throws: the caller's stage
 * turns that into a walk-away or a 503. Never trusts the model's numbers:
 * callers filter them like any other proposal.
 */
export async function askTool<T>(
  model: BaseChatModel,
  tool: StructuredToolInterface,
  schema: z.ZodType<T>,
  messages: BaseMessage[],
  signal?: AbortSignal,
): Promise<T | undefined> {
  if (typeof model.bindTools !== 'function')
    throw new TypeError('the negotiator needs a chat model with tool calling');
  const bound = model.bindTools([tool], { tool_choice: tool.name } as never);
  const ai = (await bound.invoke(messages, signal ? { signal } : {})) as AIMessage;
  // Only a well-formed call counts: the provider decides the reply's shape (llm-tool-call.ts).
  const parsed = schema.safeParse(toolCallNamed(ai, tool.name)?.args);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Untrusted text for a prompt: control, format and line-separator characters
 * flattened and cut at `max` (`boundedText`, as in the decider's prompt), then
 * JSON-quoted so it cannot close the quote or pose as instructions.
 */
export function quoted(text: string | undefined, max = 200): string {
  return JSON.stringify(boundedText(text ?? '', max));
}
