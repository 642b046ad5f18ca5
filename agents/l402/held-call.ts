import { readBody, withBody } from '../../infra/http/bounded-body.js';
import type { Clock } from '../../infra/time/clock.js';
import type { EngineContext } from './context.js';
import { sendAuthorized, type Delivery } from './delivery.js';
import type { Offer } from './offer.js';
import type { PaidOffer, PayFailure } from './payment.js';
import { ANSWER_BODY_LIMIT } from './paywall-response.js';
import type { StoredToken } from './token-store.js';

/**
 * What a pay-on-success purchase produced: its payment, the answer to its call and the time the call took
 * (absent when none was sent). `keyless`: `delivery` answers the held call, sent without the preimage.
 */
export interface HeldPurchase {
  paid: PaidOffer | PayFailure;
  delivery: Delivery;
  consumeMs?: number;
  keyless?: true;
}

/** Most times a pay-on-success call is sent again after a 503 that keeps its hold. */
export const HOLD_RETRIES = 3;

/** Most ms waited before sending it again, whatever longer `Retry-After` the seller asks for. */
export const HOLD_RETRY_WAIT_MS = 2_000;

/**
 * The paywall's 503 codes answered to a pay-on-success retry that keep the hold (the HTLC stays held, the
 * handler not run) for the next retry of it (docs/services.md, "Stores that do not answer" and
 * "Pay-on-success"). Any other 503 (the handler's own) has canceled the hold: sending again would only be
 * refused.
 */
const HOLD_KEPT: ReadonlySet<string> = new Set([
  'key_store_unavailable',
  'quota_store_unavailable',
  'token_state_unknown',
  'hold_waits_full',
]);

/**
 * Sends the pay-on-success retry `L402 <mac>:` (in the scheme of the challenge paid) while `paying` (the one payment of the hold invoice) is in
 * flight, and sends the same request again, at most `HOLD_RETRIES` times, each after the seller's
 * `Retry-After` (at most `HOLD_RETRY_WAIT_MS`), while the seller answers 503 with `Retry-After` and a code
 * that keeps the hold (`HOLD_KEPT`). All of it fits in the one call's `requestTimeoutMs` from its first send
 * (each request gets the time left), and stops once the payment ended (settled, refunded, or still in flight
 * at the client's `payTimeoutMs`): the hold is paid once, only the HTTP request is repeated. The delivery
 * returned is the last answer's, with `resent`: the requests sent after the first.
 */
export async function sendHeldCall(
  ctx: EngineContext,
  offer: Offer,
  paying: Promise<unknown>,
): Promise<Delivery> {
  const auth = `${offer.challenge.scheme} ${offer.macaroon}:`;
  const deadline = ctx.clock.now() + ctx.requestTimeoutMs;
  let payEnded = false;
  // A wait for the next retry ends when the payment does: the hold is gone, or the purchase stopped waiting.
  const stop = new AbortController();
  const ended = () => {
    payEnded = true;
    stop.abort();
  };
  const payment = paying.then(ended, ended);
  let delivery = await sendAuthorized(ctx, offer.req, auth, offer.paymentHash, 'consume');
  for (let resent = 0; ; resent++) {
    const waitMs = resent < HOLD_RETRIES && !payEnded ? retryAfterMs(ctx, delivery) : undefined;
    if (waitMs === undefined || ctx.clock.now() + waitMs >= deadline) return counted(delivery, resent);
    const kept = await keptHold(ctx, delivery, deadline);
    if (!kept.kept) return counted(kept.delivery, resent);
    await Promise.race([ctx.clock.sleep(waitMs, stop.signal), payment]);
    // Ended meanwhile, or the caller gave up (its request's signal aborted): no call is sent again.
    if (payEnded || offer.req.signal?.aborted) return counted(kept.delivery, resent);
    const left = { ...ctx, requestTimeoutMs: deadline - ctx.clock.now() };
    delivery = await sendAuthorized(left, offer.req, auth, offer.paymentHash, 'consume');
  }
}

/**
 * A held call (`L402 <mac>:`) the seller refused (401/402) although its invoice settled, so no hold kept
 * the payment: a seller that offered pay-on-success with an ordinary invoice. The buyer paid and holds the
 * preimage: the paid call is sent once more as any paid call is, `L402 <mac>:<preimage>` (`deliver`, which
 * counts its answer and drops a token refused again). Left there, the call claimed on the token was counted
 * spent and nothing delivered: a 1-call token paid for and never used. The call counts as sent again (`resent`).
 */
export async function sendRefusedHoldAgain(
  r: HeldPurchase,
  deliver: (token: StoredToken) => Promise<Delivery>,
  clock: Clock,
): Promise<HeldPurchase> {
  if (!r.keyless || !r.paid.ok || r.delivery.kind !== 'rejected') return r;
  const at = clock.now();
  const delivery = await deliver(r.paid.token);
  const consumeMs = (r.consumeMs ?? 0) + clock.now() - at;
  return { paid: r.paid, delivery: { ...delivery, resent: (r.delivery.resent ?? 0) + 1 }, consumeMs };
}

/** The delivery with the requests sent after the first (none: as it is). */
function counted(delivery: Delivery, resent: number): Delivery {
  return resent > 0 ? { ...delivery, resent } : delivery;
}

/**
 * The ms to wait before sending a held call again: a 503's `Retry-After` (seconds, or an HTTP date),
 * at most `HOLD_RETRY_WAIT_MS`; undefined for any other answer, or a `Retry-After` that says neither.
 */
function retryAfterMs(ctx: EngineContext, d: Delivery): number | undefined {
  if (d.kind !== 'failed' || d.status !== 503) return undefined;
  const said = d.response?.headers.get('retry-after')?.trim();
  if (!said) return undefined;
  if (/^\d{1,9}$/.test(said)) return Math.min(Number(said) * 1_000, HOLD_RETRY_WAIT_MS);
  const at = Date.parse(said);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - ctx.clock.now()), HOLD_RETRY_WAIT_MS);
}

/**
 * Whether a 503 answer's JSON `error` is a code that keeps the hold (`HOLD_KEPT`). Its body is read (at
 * most `ANSWER_BODY_LIMIT` bytes, by `deadline`) and handed back in `delivery`'s response, to be read
 * again by the caller when the call is not sent again.
 */
async function keptHold(
  ctx: EngineContext,
  d: Delivery,
  deadline: number,
): Promise<{ kept: boolean; delivery: Delivery }> {
  if (d.kind !== 'failed' || !d.response) return { kept: false, delivery: d };
  const res = d.response;
  const body = await readBody(res, ANSWER_BODY_LIMIT, { clock: ctx.clock, ms: deadline - ctx.clock.now() });
  const bytes = body.ok ? body.bytes : new Uint8Array();
  const delivery: Delivery = { ...d, response: withBody(res, bytes) };
  return { kept: body.ok && HOLD_KEPT.has(errorCode(bytes) ?? ''), delivery };
}

/** A JSON body's `error`, when it has one. */
function errorCode(bytes: Uint8Array): string | undefined {
  try {
    const error = (JSON.parse(new TextDecoder().decode(bytes)) as { error?: unknown } | null)?.error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}
