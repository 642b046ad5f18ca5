import { isRedirect, redirectRefusal } from '../../infra/http/redirect.js';
import { terminalSafe } from '../../infra/terminal-text.js';
import type { EngineContext, StepFailure } from './context.js';
import { sendInit, type PreparedRequest } from './request.js';

/**
 * Sends one request (with credentials when given), aborted after `ctx.requestTimeoutMs` of the
 * engine's clock (market time in the simulator, wall time on sockets); a network error or timeout is
 * a `seller_error` whose reason says why (`failedRequest`). The timer settles the send even if the
 * transport ignores the signal.
 * A redirect (3xx) is not followed (`sendInit`) and is a `seller_error` too, with its status: see `redirected`.
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
      cancelTimer();
      resolve(isRedirect(response.status) ? redirected(req, response) : { ok: true, response });
    };
    const failed = (err: unknown) => {
      cancelTimer();
      resolve({ ok: false, outcome: 'seller_error', reason: `request failed: ${failedRequest(err)}` });
    };
    const cancelTimer = ctx.clock.setTimer(ms, () => {
      failed(new Error(`no answer within ${ms} ms`));
      abort.abort();
    });
    try {
      ctx.fetch(req.url, sendInit(req, authorization, signal)).then(answered, failed);
    } catch (err) {
      failed(err);
    }
  });
}

/** Most characters of a network error's text a reason carries (a TLS error may quote the seller's certificate). */
const MAX_ERROR_CHARS = 200;

/**
 * Why a request failed, on one line: the error's message, then its cause's code and message, which
 * fetch keeps apart (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`,
 * `fetch failed: ERR_SSL_WRONG_VERSION_NUMBER: …`), cut at `MAX_ERROR_CHARS` and `terminalSafe`.
 */
function failedRequest(err: unknown): string {
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  const text =
    cause === undefined || cause === null ? messageOf(err) : `${messageOf(err)}: ${causeOf(cause)}`;
  return terminalSafe(text, MAX_ERROR_CHARS);
}

/** An error's message, trimmed. */
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim();

/** A cause's code and message, the code once (Node's `connect ECONNREFUSED …` names it); never null. */
function causeOf(cause: unknown): string {
  const code = (cause as { code?: unknown }).code;
  const why = messageOf(cause);
  if (typeof code !== 'string' || why.includes(code)) return why;
  return why ? `${code}: ${why}` : code;
}

/**
 * A seller's 3xx as a failed step naming its status and `Location`. Its body is
 * cancelled unread; the failure keeps the status and headers (a caller of the
 * client's `fetch` gets them back, `Location` included, to follow it itself if it trusts it).
 */
function redirected(req: PreparedRequest, res: Response): StepFailure {
  res.body?.cancel().catch(() => {});
  return {
    ok: false,
    outcome: 'seller_error',
    reason: redirectRefusal('seller', res, req.url, 'use the final URL'),
    status: res.status,
    response: new Response(null, { status: res.status, headers: res.headers }),
  };
}
