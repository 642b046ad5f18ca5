/**
 * The one way this project builds a `ChatOpenAI`: from OPENAI_* variables,
 * with a timeout, a retry count, a cap on the tokens the model may generate
 * (what a provider bills) and one on the bytes of each reply. Used by
 * the LLM decider and negotiators (agents) and the llm-summary seller
 * (services), which is why it lives here.
 */
import { ChatOpenAI } from '@langchain/openai';
import { LabError } from '../errors.js';
import { readBody, withBody } from '../http/bounded-body.js';
import { systemClock } from '../time/clock.js';
import type { ModelReplyErrorCode } from './model-errors.js';
import { rememberModelKey } from './key-redaction.js';

/** Most ms one model request may take, reply body included, unless OPENAI_TIMEOUT_MS says otherwise. */
export const DEFAULT_MODEL_TIMEOUT_MS = 30_000;
/** The most OPENAI_TIMEOUT_MS may say: 10 minutes (a larger value is a unit slip, and would hold a buyer's task that long). */
export const MAX_MODEL_TIMEOUT_MS = 600_000;
/** Most bytes of one model reply read (a tool call or a short text fits many times over). */
export const DEFAULT_MODEL_REPLY_BYTES = 256 * 1024;
/**
 * Most tokens a model may generate for an answer that is one tool call (the
 * decider's `choose_offer`, a negotiator's move): an id, a number and a reason
 * of at most 500 characters take about 150.
 */
export const TOOL_CALL_MAX_TOKENS = 256;

/** The variables read (passed in, never read from process.env here). */
export interface OpenAiEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
  /** Most ms per model request, a whole number from 1 to MAX_MODEL_TIMEOUT_MS (default 30,000). */
  OPENAI_TIMEOUT_MS?: string;
}

/** Limits of one client; each but `maxTokens` defaults as documented on its field. */
export interface ModelLimits {
  /** Most tokens the model may generate per request (sent as `max_tokens`), sized to the use's answer. */
  maxTokens: number;
  /** Most ms per request (default: OPENAI_TIMEOUT_MS, else DEFAULT_MODEL_TIMEOUT_MS); never above `maxTimeoutMs`. */
  timeoutMs?: number;
  /** A ceiling on the timeout, whatever the environment says (a seller answering within a buyer's limit). */
  maxTimeoutMs?: number;
  /** Retries after a failed request (default 0). */
  maxRetries?: number;
  /** Most bytes of a reply read (default DEFAULT_MODEL_REPLY_BYTES). */
  maxReplyBytes?: number;
}

/**
 * Builds ChatOpenAI from `env` for `who` (named in errors: "the llm decider").
 * Its `timeout` is the limit of each request. Throws LabError
 * 'missing_api_key' without a key (or one of only whitespace),
 * 'invalid_model_env' for an OPENAI_TIMEOUT_MS that is not a whole number
 * from 1 to MAX_MODEL_TIMEOUT_MS. The key never appears in a message, and is
 * remembered so `redactSecrets` takes it out of any log text (a provider's
 * error can echo it).
 *
 * @example
 * const model = chatModelFromEnv(process.env, 'the llm decider', { maxTokens: TOOL_CALL_MAX_TOKENS });
 */
export function chatModelFromEnv(env: OpenAiEnv, who: string, limits: ModelLimits): ChatOpenAI {
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey?.trim()) {
    const what =
      apiKey === undefined || apiKey === '' ? 'needs' : 'got an OPENAI_API_KEY of only whitespace; it needs';
    throw new LabError(
      'missing_api_key',
      `${who} ${what} OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL for any OpenAI-compatible server, OPENAI_TIMEOUT_MS)`,
    );
  }
  if (!Number.isSafeInteger(limits.maxTokens) || limits.maxTokens < 1)
    throw new RangeError(`${who}: maxTokens must be a positive integer, got ${limits.maxTokens}`);
  const timeoutMs = Math.min(limits.timeoutMs ?? envTimeout(env, who), limits.maxTimeoutMs ?? Infinity);
  const maxReplyBytes = limits.maxReplyBytes ?? DEFAULT_MODEL_REPLY_BYTES;
  rememberModelKey(apiKey.trim());
  return new ChatOpenAI({
    model: env.OPENAI_MODEL || 'gpt-4o-mini',
    apiKey: apiKey.trim(),
    temperature: 0,
    maxTokens: limits.maxTokens,
    timeout: timeoutMs,
    maxRetries: limits.maxRetries ?? 0,
    configuration: {
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      fetch: boundedFetch(maxReplyBytes, timeoutMs),
    },
  });
}

function envTimeout(env: OpenAiEnv, who: string): number {
  const raw = env.OPENAI_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_MODEL_TIMEOUT_MS;
  const ms = /^[1-9][0-9]{0,8}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(ms <= MAX_MODEL_TIMEOUT_MS))
    throw new LabError(
      'invalid_model_env',
      `${who}: OPENAI_TIMEOUT_MS must be a whole number of ms from 1 to ${MAX_MODEL_TIMEOUT_MS} (10 minutes), got ${JSON.stringify(raw.slice(0, 20))}`,
    );
  return ms;
}

/**
 * A `fetch` whose answer, body included, is read in full before it is handed
 * over: at most `maxBytes` and within `timeoutMs` from the request. A longer
 * or slower reply is cancelled and the call fails with a LabError of its own
 * (`model_reply_too_large`, `model_reply_timeout`), which the OpenAI client
 * wraps as a connection error.
 */
export function boundedFetch(
  maxBytes: number,
  timeoutMs: number,
  base: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    const fail = (code: ModelReplyErrorCode, message: string): never => {
      throw new LabError(code, message);
    };
    // Aborted by this deadline or the client's own (its timeout covers only the wait for headers).
    try {
      let res: Response;
      try {
        res = await base(input, { ...init, signal });
      } catch (err) {
        if (signal.aborted) fail('model_reply_timeout', `no answer from the model within ${timeoutMs} ms`);
        throw err;
      }
      const body = await readBody(res, maxBytes, { clock: systemClock, ms: timeoutMs });
      if (body.ok) return withBody(res, body.bytes);
      if (body.problem === 'too_large')
        fail('model_reply_too_large', `the model's reply is over ${maxBytes} bytes`);
      if (body.problem === 'too_slow' || signal.aborted)
        fail('model_reply_timeout', `the model's reply did not arrive in full within ${timeoutMs} ms`);
      return fail('model_reply_unreadable', "the model's reply could not be read");
    } finally {
      clearTimeout(timer);
    }
  };
}
