import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

/**
 * Reads a GET route's query string (the registry's and the sellers'): every parameter at
 * most once (`query parameter region is given 2 times`), then a strict schema
 * that names unknown parameters (`query: unknown key "foo"; allowed: days, region`),
 * `__proto__` and a parameter without a name (`?=x`: unknown key `""`) among them,
 * and bad values (`days: …`), in the plain words of `plainErrorMap`. A refusal
 * is a value, answered 400 `invalid_query`.
 */
export function readQuery<S extends z.ZodType>(
  c: Context,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  // No prototype: `__proto__` is a key like any other, so the schema sees (and refuses) it.
  const flat = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(c.req.queries())) {
    if (v.length !== 1) return { ok: false, message: `query parameter ${k} is given ${v.length} times` };
    flat[k] = v[0]!;
  }
  const unnamed = unnamedValue(c.req.url);
  if (unnamed !== undefined) flat[''] = unnamed;
  const parsed = schema.safeParse(flat, { error: plainErrorMap });
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: describeIssues(parsed.error.issues, { whole: 'query' }) };
}

/** The raw value of the first parameter without a name (`?=x`), which Hono's parser drops; none: undefined. */
function unnamedValue(url: string): string | undefined {
  const search = new URL(url).search.slice(1);
  return search
    .split('&')
    .find((part) => part.startsWith('='))
    ?.slice(1);
}
