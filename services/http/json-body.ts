import type { Context } from 'hono';
import type { z } from 'zod';
import type { BodyProblem } from '../../infra/http/bounded-body.js';
import { readBody } from '../../infra/http/bounded-body.js';
import { systemClock } from '../../infra/time/clock.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

/** Default request-body ceiling for every JSON endpoint in services/. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Default time to receive a whole request body, from the first read to the last byte. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Why a body was refused, with the HTTP status the edge answers. */
export type BodyFailure = {
  ok: false;
  status: 400 | 408 | 413 | 415;
  code:
    | 'bad_json'
    | 'body_aborted'
    | 'body_timeout'
    | 'body_too_large'
    | 'invalid_body'
    | 'unsupported_media_type';
  message: string;
};

/** Limits of one body read. */
export interface JsonBodyOptions {
  /** Largest body in bytes (default 64 KiB). */
  limit?: number;
  /** Deadline for the whole body in ms of real time (default 10 s). */
  timeoutMs?: number;
}

/**
 * Reads, size-limits, time-limits, parses and validates a JSON request body.
 * Expected failures are values: oversize (413), too slow (408), non-JSON
 * content type (415), a client that dropped mid-body, malformed JSON or a body
 * that fails the schema (400), each with a message naming the problem. The
 * limits are enforced while streaming, so a lying or missing Content-Length
 * cannot make the server buffer more than `limit` bytes or wait past `timeoutMs`.
 */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  { limit = DEFAULT_BODY_LIMIT, timeoutMs = DEFAULT_BODY_TIMEOUT_MS }: JsonBodyOptions = {},
): Promise<{ ok: true; value: z.output<S> } | BodyFailure> {
  const refused = refuseHeaders(c, limit);
  if (refused) return refused;
  // The request's body stream, read by the one bounded reader (a Response is only its carrier).
  const read = await readBody(new Response(c.req.raw.body), limit, { clock: systemClock, ms: timeoutMs });
  if (!read.ok) return readFailure(read.problem, limit, timeoutMs);
  const text = decodeUtf8(read.bytes);
  if (text === undefined)
    return { ok: false, status: 400, code: 'bad_json', message: 'body is not valid UTF-8' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, status: 400, code: 'bad_json', message: `body is not valid JSON: ${why}` };
  }
  const result = schema.safeParse(parsed, { error: plainErrorMap });
  if (!result.success) {
    const message = describeIssues(result.error.issues, { whole: 'body' });
    return { ok: false, status: 400, code: 'invalid_body', message };
  }
  return { ok: true, value: result.data };
}

/** A refusal decided from the headers alone: a non-JSON type or a declared size over the limit. */
function refuseHeaders(c: Context, limit: number): BodyFailure | undefined {
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
  return undefined;
}

function readFailure(problem: BodyProblem, limit: number, timeoutMs: number): BodyFailure {
  if (problem === 'too_large') return tooLarge(limit);
  if (problem === 'too_slow')
    return {
      ok: false,
      status: 408,
      code: 'body_timeout',
      message: `body not received within the ${timeoutMs} ms limit`,
    };
  // The client closed the connection mid-body: its fault, and nobody is left to read the answer.
  return {
    ok: false,
    status: 400,
    code: 'body_aborted',
    message: 'the client closed the connection mid-body',
  };
}

function tooLarge(limit: number, declared?: number): BodyFailure {
  return {
    ok: false,
    status: 413,
    code: 'body_too_large',
    message: `body exceeds the ${limit}-byte limit${declared !== undefined ? ` (Content-Length ${declared})` : ''}`,
  };
}

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8 (malformed input, not repaired silently). */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
