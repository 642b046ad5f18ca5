import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

/**
 * Reads a GET route's query string (the registry's and the sellers'): every parameter at
 * most once (`query parameter region is given 2 times`), then a strict schema
 * that names unknown parameters (`query: unknown key "foo"; allowed: days, region`)
 * and bad values (`days: …`), in the plain words of `plainErrorMap`. A refusal
 * is a value, answered 400 `invalid_query`.
 */
export function readQuery<S extends z.ZodType>(
  c: Context,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.req.queries())) {
    if (v.length !== 1) return { ok: false, message: `query parameter ${k} is given ${v.length} times` };
    flat[k] = v[0]!;
  }
  const parsed = schema.safeParse(flat, { error: plainErrorMap });
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: describeIssues(parsed.error.issues, { whole: 'query' }) };
}
