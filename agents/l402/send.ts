import type { EngineContext, StepFailure } from './context.js';
import { sendInit, type PreparedRequest } from './request.js';

/**
 * Sends one request (with credentials when given), aborted after `ctx.requestTimeoutMs`; a network error
 * or timeout is a `seller_error`. The timer settles the send even if the transport ignores the signal.
 */
export function send(
  ctx: EngineContext,
  req: PreparedRequest,
  authorization?: string,
): Promise<{ ok: true; response: Response } | StepFailure> {
  const ms = ctx.requestTimeoutMs;
  const abort = new AbortController();
  // Aborted by the timeout or by the caller's own signal.
  const signal = req.signal ? AbortSignal.any([req.signal, abort.signal]) : abort.signal;
  return new Promise((resolve) => {
    const answered = (response: Response) => {
      clearTimeout(timer);
      resolve({ ok: true, response });
    };
    const failed = (err: unknown) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        outcome: 'seller_error',
        reason: `request failed: ${(err as Error)?.message ?? err}`,
      });
    };
    const timer = setTimeout(() => {
      failed(new Error(`no answer within ${ms} ms`));
      abort.abort();
    }, ms);
    try {
      ctx.fetch(req.url, sendInit(req, authorization, signal)).then(answered, failed);
    } catch (err) {
      failed(err);
    }
  });
}
