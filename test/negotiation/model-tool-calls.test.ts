import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { askTool } from '../../agents/negotiation/model.js';

const bid = tool(async () => '', {
  name: 'bid',
  description: 'a bid',
  schema: z.object({ msat: z.number() }),
});

/** A chat model whose tool-bound answer is `answer`, whatever shape the provider gave it. */
const answering = (answer: unknown) => ({ bindTools: () => ({ invoke: async () => answer }) }) as never;

describe('askTool reads only well-formed tool calls of the negotiator model', () => {
  it.each([
    ['a string', 'bid 5000'],
    ['a number entry', [1]],
    ['null entry', [null]],
    ['an entry without a name', [{ id: 'call_1', type: 'function', args: { msat: 5000 } }]],
    ['another tool', [{ name: 'take', args: { msat: 5000 } }]],
  ])('tool_calls as %s is no answer (undefined), not a TypeError', async (_, calls) => {
    await expect(
      askTool(answering({ tool_calls: calls }), bid, z.object({ msat: z.number() }), []),
    ).resolves.toBe(undefined);
  });

  it('a call of the tool with arguments the schema accepts is its answer', async () => {
    const answer = { tool_calls: [{ name: 'bid', args: { msat: 5000 }, id: 'call_1', type: 'tool_call' }] };
    await expect(askTool(answering(answer), bid, z.object({ msat: z.number() }), [])).resolves.toEqual({
      msat: 5000,
    });
  });
});
