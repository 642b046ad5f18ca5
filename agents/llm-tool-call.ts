/**
 * Reading a chat model's tool calls, whose shape the provider's reply decides:
 * `tool_calls` may come back as anything (a string, `[1]`, an entry without a
 * name). Only an array's entries that are objects with a string `name` count as
 * calls; anything else is no call, which callers treat as an invalid answer.
 */

/** A tool call as far as a caller may rely on it: a name, and arguments still to be checked. */
export interface ToolCallSeen {
  name: string;
  args?: unknown;
}

/** The first call of tool `name` in a model's answer `ai`, or undefined when there is none that counts. */
export function toolCallNamed(ai: unknown, name: string): ToolCallSeen | undefined {
  const calls = isObject(ai) ? ai.tool_calls : undefined;
  if (!Array.isArray(calls)) return undefined;
  for (const c of calls as unknown[])
    if (isObject(c) && typeof c.name === 'string' && c.name === name) return { name, args: c.args };
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
