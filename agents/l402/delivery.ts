import { formatAuthorization } from '../../infra/l402/index.js';
import { CALLS_REMAINING_HEADER } from '../../services/paywall/headers.js';
import { bodyTime, type EngineContext } from './context.js';
import type { PurchaseOutcome } from './outcome.js';
import { readBody, withBody } from '../../infra/http/bounded-body.js';
import { readPaywallAnswer, type PaywallAnswer } from './paywall-response.js';
import type { PreparedRequest } from './request.js';
import { send } from './send.js';
import type { StoredToken, TokenStore } from './token-store.js';

/**
 * How an authorized request ended. `resent`: a pay-on-success call sent again after the seller's 503 that
 * kept its hold (held-call.ts), the requests sent after the first; absent when none.
 */
export type Delivery = { resent?: number } & (
  | {
      kind: 'delivered';
      status: number;
      /** The body, read within the size and time limits. */
      bytes: Uint8Array;
      /** A fresh `Response` carrying the status, headers and `bytes` (built only for a caller that asks). */
      response: () => Response;
      /** The seller's `L402-Calls-Remaining` (see `sellerCallsLeft`). */
      callsLeft?: number;
    }
  | {
      kind: 'rejected';
      /** `token_refused` for a held token (reuse); the seller's word for a token just paid for. */
      outcome: 'token_rejected' | 'quota_exhausted' | 'token_refused';
      answer: PaywallAnswer;
    }
  | {
      kind: 'failed';
      outcome: PurchaseOutcome;
      response?: Response;
      reason: string;
      /** The seller's status; absent when no answer came (transport error, timeout). */
      status?: number;
      /** The seller's `L402-Calls-Remaining` (see `sellerCallsLeft`). */
      callsLeft?: number;
    }
);

/**
 * Whether the call a delivery sent goes back on the token, mirroring the
 * paywall's accounting (docs/services.md): the paywall counts a call it lets
 * through and gives it back on a 5xx; its rate limit answers 429 before it
 * counts. A request without an answer (transport error, timeout) may or may
 * not have been counted: it goes back too, so the token is tried again before
 * anything is bought; a seller that did count it refuses the token then
 * (`quota_exhausted`) and the token is dropped. A seller that kept a call it
 * answered (a 5xx past its give-back bound, a handler's own 429) says so in
 * `L402-Calls-Remaining`, which `countSellerAnswer` heeds.
 */
export function callGivenBack(d: Delivery): boolean {
  return d.kind === 'failed' && (d.status === undefined || d.status >= 500 || d.status === 429);
}

/**
 * Counts an answered call on the buyer's token as the seller did: the call
 * claimed for it goes back when `callGivenBack`, then the seller's
 * `L402-Calls-Remaining` may lower the calls left, never raise them: a seller
 * saying 0 could refuse the next call anyway, while one saying more than the
 * buyer counts would have it send calls it never paid for.
 */
export function countSellerAnswer(tokens: TokenStore, token: StoredToken, d: Delivery): void {
  if (callGivenBack(d)) tokens.returnUse(token);
  if (d.kind !== 'rejected' && d.callsLeft !== undefined) tokens.lowerCallsLeft(token, d.callsLeft);
}

/** A response's `L402-Calls-Remaining`: a count of 1 to 15 digits, else undefined (absent, negative, not a count). */
export function sellerCallsLeft(res: Response | undefined): number | undefined {
  const v = res?.headers.get(CALLS_REMAINING_HEADER)?.trim();
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}

/** Sends the request with a paid token, in the scheme of the challenge paid for it, and classifies the answer. */
export function sendWithToken(
  ctx: EngineContext,
  req: PreparedRequest,
  token: StoredToken,
  step: 'consume' | 'reuse',
): Promise<Delivery> {
  const { macaroon, preimage = '', scheme } = token;
  const auth = formatAuthorization({ macaroon, preimage, ...(scheme ? { scheme } : {}) });
  return sendAuthorized(ctx, req, auth, token.paymentHash, step);
}

/** Sends the request with an `Authorization` header and classifies the answer. */
export async function sendAuthorized(
  ctx: EngineContext,
  req: PreparedRequest,
  auth: string,
  paymentHash: string,
  step: 'consume' | 'reuse',
): Promise<Delivery> {
  const at = ctx.clock.now();
  const sent = await send(ctx, req, auth);
  const durationMs = ctx.clock.now() - at;
  const base = { atMs: at, durationMs, url: req.url.href, buyer: ctx.buyer };
  if (!sent.ok) {
    // No answer, or a redirect (not followed; the paywall counted the call, as for a 4xx).
    const { reason, status, response } = sent;
    ctx.emit({ ...base, step, status: status ?? 0, ok: false, paymentHash }, req);
    return {
      kind: 'failed',
      outcome: step === 'consume' ? 'not_delivered' : 'seller_error',
      reason,
      ...(status !== undefined ? { status } : {}),
      ...(response ? { response } : {}),
      ...countOf(response),
    };
  }
  const res = sent.response;
  const ok = res.status < 300;
  ctx.emit({ ...base, step, status: res.status, ok, paymentHash }, req);
  if (ok) return { ...(await readDelivered(ctx, res, step)), ...countOf(res) };
  if (res.status === 401 || res.status === 402) {
    const answer = await readPaywallAnswer(res, bodyTime(ctx));
    // A held token was usable by our own count: its refusal is the seller's claim, not a fact to buy on.
    const outcome =
      step === 'reuse'
        ? 'token_refused'
        : answer.reason === 'quota_exhausted'
          ? 'quota_exhausted'
          : 'token_rejected';
    return { kind: 'rejected', outcome, answer };
  }
  const { status } = res;
  if (status === 429)
    return {
      kind: 'failed',
      outcome: 'rate_limited',
      response: res,
      reason: 'HTTP 429',
      status,
      ...countOf(res),
    };
  // The paywall let us through and the service failed: paid but not delivered.
  const outcome = status >= 500 ? 'not_delivered' : 'seller_error';
  return { kind: 'failed', outcome, response: res, reason: `HTTP ${status}`, status, ...countOf(res) };
}

/** `callsLeft` for a delivery whose answer says a count, else nothing. */
function countOf(res: Response | undefined): { callsLeft?: number } {
  const callsLeft = sellerCallsLeft(res);
  return callsLeft === undefined ? {} : { callsLeft };
}

/** Reads a delivered body within the size and time limits; beyond them the call did not deliver. */
async function readDelivered(
  ctx: EngineContext,
  res: Response,
  step: 'consume' | 'reuse',
): Promise<Delivery> {
  const body = await readBody(res, ctx.maxBodyBytes, bodyTime(ctx));
  if (body.ok) {
    const bytes = body.bytes;
    return { kind: 'delivered', status: res.status, bytes, response: () => withBody(res, bytes) };
  }
  const why = {
    too_large: `the delivered body is over ${ctx.maxBodyBytes} bytes`,
    too_slow: `the delivered body did not arrive within ${ctx.requestTimeoutMs} ms`,
    unreadable: 'the delivered body could not be read',
  }[body.problem];
  const outcome = step === 'consume' ? 'not_delivered' : 'seller_error';
  return { kind: 'failed', outcome, reason: why, status: res.status };
}
