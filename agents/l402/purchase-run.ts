import type { Clock } from '../../infra/time/clock.js';
import type { Decision } from '../policies/index.js';
import type { StepFailure } from './context.js';
import type { Offer } from './offer.js';
import type { PurchaseResult } from './outcome.js';
import { sellerCode } from './paywall-response.js';
import type { Delivery } from './delivery.js';
import type { PaidOffer, PayFailure } from './payment.js';
import type { StoredToken } from './token-store.js';

/** A policy's refusal as a step failure. */
export function denial(d: Exclude<Decision, { kind: 'allow' }>): StepFailure {
  return d.kind === 'deny'
    ? { ok: false, outcome: d.outcome, reason: d.reason, status: 402 }
    : { ok: false, outcome: 'escalated', reason: d.reason, status: 402 };
}

/** Why a reuse-only purchase has nothing to send: the held token is used up, expired, or absent. */
export function noTokenLeft(held: StoredToken | undefined, nowMs: number): StepFailure {
  if (held?.maxCalls !== undefined && held.callsUsed >= held.maxCalls)
    return {
      ok: false,
      outcome: 'quota_exhausted',
      reason: `all ${held.maxCalls} calls of the held token are used`,
    };
  if (held?.validUntilMs !== undefined && nowMs >= held.validUntilMs)
    return { ok: false, outcome: 'token_rejected', reason: 'the held token expired' };
  return { ok: false, outcome: 'policy_denied', reason: 'no usable token and reuseOnly is set' };
}

/** Header-safe ASCII, bounded. */
export function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}

/** The record of one purchase as it is being built. */
export class Run {
  requests = 0;
  timings: PurchaseResult['timings'];
  #offer?: Offer;
  #paid?: PaidOffer;
  readonly startedAt: number;

  constructor(startedAt: number) {
    this.startedAt = startedAt;
    this.timings = { startedAt, endedAt: startedAt };
  }

  sawOffer(offer: Offer): void {
    this.#offer = offer;
    this.timings.quoteMs = offer.quoteMs;
  }

  paid(p: PaidOffer): void {
    this.#paid = p;
  }

  #base(clock: Clock): Omit<PurchaseResult, 'outcome'> {
    const p = this.#paid?.payment;
    // Paid without a payment: a purchase of the same token scope bought the token meanwhile; ours reuses it.
    const shared = this.#paid && !p ? this.#paid.token : undefined;
    return {
      quotedMsat: this.#offer?.amountMsat,
      paidMsat: p ? p.amountMsat : 0,
      feeMsat: p ? p.feeMsat : 0,
      hops: p ? p.hops : 0,
      requests: this.requests,
      tokenReused: shared !== undefined,
      paymentHash: shared?.paymentHash ?? this.#offer?.paymentHash,
      preimage: this.#paid?.token.preimage,
      macaroon: shared?.macaroon ?? this.#offer?.macaroon,
      payee: this.#offer?.payee,
      timings: { ...this.timings, endedAt: clock.now() },
    };
  }

  done(
    r: Pick<PurchaseResult, 'outcome' | 'response' | 'status' | 'reason' | 'notStarted'>,
    clock: Clock,
  ): PurchaseResult {
    return { ...this.#base(clock), ...r };
  }

  reused(t: StoredToken, response: Response, clock: Clock): PurchaseResult {
    return {
      ...this.#base(clock),
      outcome: 'success',
      response,
      status: response.status,
      tokenReused: true,
      paymentHash: t.paymentHash,
      preimage: t.preimage,
      macaroon: t.macaroon,
    };
  }

  fail(f: StepFailure & Pick<PayFailure, 'notStarted'>, clock: Clock, token?: StoredToken): PurchaseResult {
    const r: PurchaseResult = {
      ...this.#base(clock),
      outcome: f.outcome,
      reason: f.reason,
      ...(f.notStarted ? { notStarted: true } : {}),
      ...(f.rejection ? { rejection: f.rejection } : {}),
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f.response ? { response: f.response } : {}),
      ...(f.quotedMsat !== undefined ? { quotedMsat: f.quotedMsat } : {}),
      ...(f.refusal !== undefined ? { refusal: f.refusal } : {}),
    };
    if (token) {
      r.tokenReused = true;
      r.paymentHash = token.paymentHash;
      r.macaroon = token.macaroon;
    }
    return r;
  }
}

/**
 * The `fetch()` face of a purchase: the seller's response on success; on
 * failure the seller's response (or a synthesized JSON one, status 402 when
 * payment was asked) with `x-l402-outcome` and `x-l402-reason` headers.
 */
export function responseOf(r: PurchaseResult): Response {
  if (r.outcome === 'success' && r.response) return r.response;
  if (r.response) {
    const headers = new Headers(r.response.headers);
    headers.set('x-l402-outcome', r.outcome);
    if (r.reason) headers.set('x-l402-reason', headerSafe(r.reason));
    return new Response(r.response.body, {
      status: r.response.status,
      statusText: r.response.statusText,
      headers,
    });
  }
  return new Response(JSON.stringify({ error: r.outcome, reason: r.reason }), {
    status: r.status ?? 402,
    headers: {
      'content-type': 'application/json',
      'x-l402-outcome': r.outcome,
      'x-l402-reason': headerSafe(r.reason ?? ''),
    },
  });
}

/** The result of a pay-on-success purchase: what was delivered decides, the payment says what it cost. */
export function holdResult(
  run: Run,
  paid: PaidOffer | PayFailure,
  delivery: Delivery,
  consumeMs: number | undefined,
  clock: Clock,
): PurchaseResult {
  run.timings.payMs = paid.payMs;
  // The call sent again while the seller kept the hold (503 with Retry-After): each a request too.
  run.requests += delivery.resent ?? 0;
  // No call sent (the payment ended before its send), no consume time.
  if (consumeMs !== undefined) run.timings.consumeMs = consumeMs;
  if (paid.ok) run.paid(paid);
  if (delivery.kind === 'delivered') {
    // Delivered although the payment failed (or never started): the seller's loss, not ours.
    const unpaid = paid.ok
      ? {}
      : { reason: paid.reason, ...(paid.notStarted ? { notStarted: true as const } : {}) };
    return run.done(
      { outcome: 'success', response: delivery.response(), status: delivery.status, ...unpaid },
      clock,
    );
  }
  // A payment that failed on its own (no route…) or never started says more than the seller's "no HTLC arrived".
  if (!paid.ok && (paid.notStarted || failedOnItsOwn(paid))) return run.fail(paid, clock);
  if (delivery.kind === 'rejected') {
    const { reason: said, status } = delivery.answer;
    const reason = said ?? `HTTP ${status}`;
    const refusal = sellerCode(said);
    return run.fail(
      { ok: false, outcome: delivery.outcome, reason, status, ...(refusal ? { refusal } : {}) },
      clock,
    );
  }
  return run.fail({ ok: false, ...delivery }, clock);
}

/**
 * A payment the node failed for a reason of its own, not one a seller's cancel of the hold shows as
 * (`canceled`, `incorrect_payment_details`).
 */
function failedOnItsOwn(paid: PayFailure): boolean {
  const failure = paid.payment?.failure?.reason;
  return failure !== undefined && failure !== 'canceled' && failure !== 'incorrect_payment_details';
}
