/**
 * The one plain wording of zod's refusals (infra/zod-wording.ts): the issue
 * kinds beyond types, lists and ranges (text forms, steps, unions that are not
 * told apart by a key, record keys, exact sizes), text given cut short, and
 * `describeIssues` listing issues where users write them.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

function refusal(schema: z.ZodType, value: unknown, whole?: string): string {
  const r = schema.safeParse(value, { error: plainErrorMap });
  if (r.success) throw new Error('the schema took the value');
  return describeIssues(r.error.issues, { whole });
}

/** A union told apart by its `name`, as policy declarations are. */
const options = z.discriminatedUnion('name', [
  z.object({ name: z.literal('allow_all') }),
  z.object({ name: z.literal('max_per_request'), maxMsat: z.number() }),
]);

describe('plainErrorMap words each kind of refusal with what is expected and what was given', () => {
  it.each([
    ['text that is not a URL', z.object({ u: z.url() }), { u: 'nope' }, 'u: expected a URL, got "nope"'],
    [
      'text that is not an email address',
      z.object({ e: z.email() }),
      { e: 'x' },
      'e: expected an email address, got "x"',
    ],
    [
      'text off its pattern',
      z.object({ region: z.string().regex(/^[a-z]+$/) }),
      { region: 'EU' },
      'region: expected text matching /^[a-z]+$/, got "EU"',
    ],
    [
      'text without its prefix',
      z.object({ invoice: z.string().startsWith('ln') }),
      { invoice: 'xx' },
      'invoice: expected text starting with "ln", got "xx"',
    ],
    [
      'a number off its step',
      z.object({ n: z.number().multipleOf(5) }),
      { n: 7 },
      'n: expected a multiple of 5, got 7',
    ],
    [
      'a value of a kind no form of a union takes',
      z.object({ seed: z.union([z.string(), z.number()]) }),
      { seed: true },
      'seed: expected text or a number, got true',
    ],
    [
      'a union field left out',
      z.object({ seed: z.union([z.string(), z.number()]) }),
      {},
      'seed: required: add seed',
    ],
    [
      'a value two forms of a union take, where one must',
      z.object({ r: z.xor([z.object({ a: z.number() }), z.object({ b: z.number() })]) }),
      { r: { a: 1, b: 2 } },
      'r: expected a value that matches exactly one form, got an object',
    ],
    [
      'a record key off its pattern',
      z.object({ m: z.record(z.string().regex(/^[a-z]+$/), z.number()) }),
      { m: { Bad: 1 } },
      'm.Bad: key not allowed (expected text matching /^[a-z]+$/, got "Bad")',
    ],
    [
      'text not of its exact length',
      z.object({ t: z.string().length(3) }),
      { t: 'ab' },
      't: expected exactly 3 characters',
    ],
    [
      'a literal left out',
      z.object({ version: z.literal(1) }),
      {},
      'version: required: add version; expected 1',
    ],
    [
      'a list value left out, with the values it takes',
      z.object({ archetype: z.enum(['data-feed', 'llm-summary']) }),
      {},
      'archetype: required: add archetype; expected data-feed | llm-summary',
    ],
    [
      "a discriminated union's key left out",
      z.object({ p: options }),
      { p: { maxMsat: 5 } },
      'p.name: required: add name; expected allow_all | max_per_request',
    ],
    [
      "a discriminated union's key given as a number",
      z.object({ p: options }),
      { p: { name: 5 } },
      'p.name: expected allow_all | max_per_request, got 5',
    ],
    [
      "a discriminated union's key given as text none of its options has",
      z.object({ p: options }),
      { p: { name: 'max_per_requst' } },
      'p.name: unknown name "max_per_requst" (did you mean "max_per_request"?); expected allow_all | max_per_request',
    ],
  ])('%s', (_what, schema, value, message) => {
    expect(refusal(schema, value)).toBe(message);
  });

  it('cuts text given at 60 characters, saying how long it was', () => {
    expect(refusal(z.object({ e: z.enum(['calendar', 'rolling']) }), { e: 'x'.repeat(100) })).toBe(
      `e: expected calendar | rolling, got "${'x'.repeat(60)}…" (100 characters)`,
    );
  });

  it('keeps a message the schema words itself', () => {
    const schema = z.object({ days: z.string().regex(/^\d+$/, 'must be an integer 1..31') });
    expect(refusal(schema, { days: 'x' })).toBe('days: must be an integer 1..31');
  });
});

describe('describeIssues lists issues where users write them', () => {
  it('names an issue at the root by `whole`, and one inside a list by its index', () => {
    expect(refusal(z.object({ a: z.number() }), [], 'body')).toBe(
      'body: expected an object (key: value entries), got a list',
    );
    expect(
      refusal(z.object({ tiers: z.array(z.object({ priceMsat: z.number().min(0) })) }), {
        tiers: [{ priceMsat: 1 }, { priceMsat: -1 }],
      }),
    ).toBe('tiers[1].priceMsat: expected at least 0');
  });

  it('lists the first five, then how many more', () => {
    expect(refusal(z.array(z.number()), ['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe(
      '[0]: expected a number, got "a"; [1]: expected a number, got "b"; [2]: expected a number, got "c"; ' +
        '[3]: expected a number, got "d"; [4]: expected a number, got "e"; and 2 more',
    );
  });
});
