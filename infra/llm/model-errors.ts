import { isLabError } from '../errors.js';
import { DeadlineError } from '../time/deadline.js';
import { redactModelKeys } from './key-redaction.js';

/** Codes of the errors the bounded model fetch raises (its own words, safe to repeat). */
export type ModelReplyErrorCode = 'model_reply_too_large' | 'model_reply_timeout' | 'model_reply_unreadable';

const OWN_CODES: readonly ModelReplyErrorCode[] = [
  'model_reply_too_large',
  'model_reply_timeout',
  'model_reply_unreadable',
];

/**
 * What went wrong with a model call, in words safe to show another party or
 * put in a record: the error's class (`InternalServerError`,
 * `APIConnectionError`, `TimeoutError`…) and HTTP status, or the message of
 * the bounded fetch or `withDeadline` (this project's own words). Never the provider's text, which may echo a key.
 *
 * @example
 * modelErrorName(err) // 'InternalServerError, HTTP 500'
 */
export function modelErrorName(err: unknown): string {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (isLabError(e, ...OWN_CODES)) return e.message;
  if (err instanceof DeadlineError) return err.message;
  if (!(err instanceof Error)) return typeof err;
  const ctor = err.constructor?.name;
  const cls = ctor && ctor !== 'Error' ? ctor : err.name || 'Error';
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? `${cls}, HTTP ${status}` : cls;
}

/**
 * Text for a local log with every credential replaced: the API key of each
 * model client `chatModelFromEnv` built (whatever its shape, and any run of 8
 * or more of its characters: key-redaction.ts), then anything shaped like one:
 * `Bearer <token>`, OpenAI-style keys (`sk-…`) and `api_key=…` pairs. Every
 * log line that carries a model error's text goes through here.
 */
export function redactSecrets(text: string): string {
  return redactModelKeys(text)
    .replace(/\bBearer\s+[^\s"',;]+/gi, 'Bearer [redacted]')
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[redacted]')
    .replace(/\b(api[_-]?key["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1[redacted]');
}
