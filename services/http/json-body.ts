import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues } from './issues.js';

/** Default request-body ceiling for every JSON endpoint in services/. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Why a body was refused, with the HTTP status the edge answers. */
export type BodyFailure = {
  ok: false;
  status: 400 | 413 | 415;
  code: 'bad_json' | 'body_too_large' | 'invalid_body' | 'unsupported_media_type';
  message: string;
};

/**
 * Reads, size-limits, parses and validates a JSON request body. Expected
 * failures are values: oversize (413), non-JSON content type (415), malformed
 * JSON or a body that fails the schema (400), each with a message naming the
 * problem. The limit is enforced while streaming, so a lying or missing
 * Content-Length cannot make the server buffer more than `limit` bytes.
 */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  { limit = DEFAULT_BODY_LIMIT }: { limit?: number } = {},
): Promise<{ ok: true; value: z.output<S> } | BodyFailure> {
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type.trim()))
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media_type',
      message: `expected Content-Type application/json, got ${JSON.stringify(type.slice(0, 100))}`,
    };
  const declared = c.req.header('content-length');
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit)
    return tooLarge(limit, Number(declared));
  const read = await readLimited(c.req.raw, limit);
  if (!read.ok)
    return read.reason === 'too_large'
      ? tooLarge(limit)
      : { ok: false, status: 400, code: 'bad_json', message: 'body is not valid UTF-8' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, status: 400, code: 'bad_json', message: `body is not valid JSON: ${why}` };
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    return { ok: false, status: 400, code: 'invalid_body', message: describeIssues(result.error) };
  return { ok: true, value: result.data };
}

function tooLarge(limit: number, declared?: number): BodyFailure {
  return {
    ok: false,
    status: 413,
    code: 'body_too_large',
    message: `body exceeds the ${limit}-byte limit${declared !== undefined ? ` (Content-Length ${declared})` : ''}`,
  };
}

async function readLimited(
  req: Request,
  limit: number,
): Promise<{ ok: true; text: string } | { ok: false; reason: 'too_large' | 'bad_utf8' }> {
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  // fatal: invalid UTF-8 is malformed input, not something to repair silently.
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { ok: false, reason: 'bad_utf8' };
  }
}
