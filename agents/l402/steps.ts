import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { formatAuthorization, type Challenge } from '../../infra/l402/index.js';
import type { DecodedInvoice } from '../../infra/lightning/bolt11.js';
import type { LightningNode, NodeInfo, Payment } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Decision, PaymentPolicy, Quote, Reservation } from '../policies/index.js';
import { checkInvoice } from './invoice-check.js';
import {
  outcomeOfPaymentFailure,
  type InvoiceRejection,
  type PurchaseEvent,
  type PurchaseHints,
  type PurchaseOutcome,
} from './outcome.js';
import {
  chooseChallenge,
  readPaywallAnswer,
  type PaywallAnswer,
  type SellerNote,
} from './paywall-response.js';
import { buildRequest, type PreparedRequest } from './request.js';
import { readTokenLimits, type TokenLimits } from './token-caveats.js';
import type { StoredToken, TokenStore } from './token-store.js';

/**
 * The purchase mechanics as plain functions: send, read the offer, authorize,
 * pay, send with the token. The client composes them into `purchase`; the
 * buyer graph calls them from its nodes. None of them throws for an expected
 * failure: each returns a `StepFailure` carrying the outcome.
 */
export interface ClientContext {
  node: LightningNode;
  fetch: typeof fetch;
  policy: PaymentPolicy;
  tokens: TokenStore;
  clock: Clock;
  logger: Logger;
  maxFeeMsat: (amountMsat: Msat) => Msat;
  emit: (e: PurchaseEvent) => void;
  nodeInfo: () => Promise<NodeInfo>;
  allowUnsigned: boolean;
  payTimeoutMs?: number;
  buyer?: string;
}

/** An expected failure of one step. */
export interface StepFailure {
  ok: false;
  outcome: PurchaseOutcome;
  reason: string;
  rejection?: InvoiceRejection;
  status?: number;
  response?: Response;
}

/** A checked invoice and token from one seller's 402, ready to authorize and pay. */
export interface Offer {
  req: PreparedRequest;
  url: string;
  challenge: Challenge;
  macaroon: string;
  invoice: DecodedInvoice;
  amountMsat: Msat;
  maxFeeMsat: Msat;
  payee: string;
  paymentHash: string;
  note: SellerNote;
  limits: TokenLimits;
  service?: string;
  category?: string;
  quotedAt: number;
  quoteMs: number;
}

/** Sends one request (with credentials when given); a network error is a `seller_error`. */
export async function send(
  ctx: ClientContext,
  req: PreparedRequest,
  authorization?: string,
): Promise<{ ok: true; response: Response } | StepFailure> {
  try {
    return { ok: true, response: await ctx.fetch(buildRequest(req, authorization)) };
  } catch (err) {
    return {
      ok: false,
      outcome: 'seller_error',
      reason: `request failed: ${(err as Error)?.message ?? err}`,
    };
  }
}

/** Reads the challenge from a 402 answer, decodes and checks the invoice against the hints. */
export async function makeOffer(
  ctx: ClientContext,
  req: PreparedRequest,
  answer: PaywallAnswer,
  hints: PurchaseHints,
  startedAt: number,
  advertisedPrice?: (tier: number | undefined) => Msat | undefined,
): Promise<{ ok: true; offer: Offer } | StepFailure> {
  const at = ctx.clock.now();
  const chosen = chooseChallenge(answer.wwwAuthenticate);
  if (!chosen.ok) return { ok: false, outcome: 'no_quote', reason: chosen.reason, status: answer.status };
  const { network } = await ctx.nodeInfo();
  let limits: TokenLimits = { services: [] };
  try {
    limits = readTokenLimits(chosen.challenge.macaroon);
  } catch {
    // chooseChallenge already decoded it; unreadable caveats only cost us reuse hints.
  }
  // The advertised price of the tier the token is for, when the caller knows the seller's tiers.
  const advertised = advertisedPrice?.(limits.tier);
  const ceilings = [hints.quotedPriceMsat, hints.maxPriceMsat, advertised].filter(
    (v): v is number => v !== undefined,
  );
  const check = checkInvoice(chosen.challenge.invoice, {
    network,
    nowMs: ctx.clock.now(),
    tokenPaymentHash: chosen.tokenPaymentHash,
    expectedPayee: hints.expectedPayee,
    maxAmountMsat: ceilings.length ? Math.min(...ceilings) : undefined,
    allowUnsigned: ctx.allowUnsigned,
  });
  const base = { atMs: at, durationMs: ctx.clock.now() - at, url: req.url.href, buyer: ctx.buyer };
  ctx.emit({
    ...base,
    step: 'check',
    ok: check.ok,
    ...(check.ok ? {} : { rejection: check.rejection, reason: check.reason }),
  });
  if (!check.ok) {
    return {
      ok: false,
      outcome: 'invoice_rejected',
      rejection: check.rejection,
      reason: check.reason,
      status: 402,
    };
  }
  const offer: Offer = {
    req,
    url: req.url.href,
    challenge: chosen.challenge,
    macaroon: chosen.challenge.macaroon,
    invoice: check.invoice,
    amountMsat: check.amountMsat,
    maxFeeMsat: ctx.maxFeeMsat(check.amountMsat),
    payee: check.invoice.payee,
    paymentHash: check.invoice.paymentHash,
    note: answer.note,
    limits,
    service: hints.service ?? answer.note.service ?? limits.services[0],
    category: hints.category,
    quotedAt: ctx.clock.now(),
    quoteMs: ctx.clock.now() - startedAt,
  };
  return { ok: true, offer };
}

/** The policy's view of an offer. */
export function quoteOf(offer: Offer): Quote {
  return {
    amountMsat: offer.amountMsat,
    maxFeeMsat: offer.maxFeeMsat,
    url: offer.url,
    host: offer.req.url.host,
    payee: offer.payee,
    service: offer.service,
    category: offer.category,
    paymentHash: offer.paymentHash,
  };
}

/** Asks the policy; an allow holds money until `payOffer` settles or releases it. */
export async function authorizeOffer(
  ctx: ClientContext,
  offer: Offer,
  hints: PurchaseHints,
): Promise<Decision> {
  const at = ctx.clock.now();
  const decision = await ctx.policy.authorize(quoteOf(offer), {
    nowMs: at,
    buyer: hints.buyer ?? ctx.buyer,
    taskValueMsat: hints.taskValueMsat,
  });
  ctx.emit({
    atMs: at,
    durationMs: ctx.clock.now() - at,
    url: offer.url,
    buyer: ctx.buyer,
    step: 'authorize',
    decision: decision.kind,
    amountMsat: offer.amountMsat,
    ...(decision.kind === 'allow' ? {} : { reason: decision.reason }),
  });
  return decision;
}

/** What paying an offer produced. */
export type PaidOffer = { ok: true; token: StoredToken; payment: Payment; payMs: number };

/**
 * Pays an authorized offer: store the token as pending, pay with the fee
 * ceiling, then settle the reservation and complete the token, or release and
 * drop them. When the node's answer is lost (it threw), the payment is looked
 * up by hash; if its fate stays unknown, the pending token and the reservation
 * are kept so the money can neither be spent twice nor be counted as free.
 */
export async function payOffer(
  ctx: ClientContext,
  offer: Offer,
  reservation: Reservation,
): Promise<PaidOffer | PayFailure> {
  const at = ctx.clock.now();
  const pending = pendingToken(offer, at);
  await ctx.tokens.put(pending);
  const { payment, thrown } = await payInvoice(ctx, offer);
  return finishPayment(ctx, offer, reservation, pending, payment, thrown, at);
}

/** A failed payment step. */
export type PayFailure = StepFailure & { payMs: number; payment?: Payment };

function pendingToken(offer: Offer, at: number): StoredToken {
  return {
    origin: offer.req.origin,
    pathPrefix: offer.limits.pathPrefix ?? offer.req.path,
    macaroon: offer.macaroon,
    paymentHash: offer.paymentHash,
    state: 'pending',
    invoice: offer.challenge.invoice,
    amountMsat: offer.amountMsat,
    createdAt: at,
    validUntilMs: offer.limits.validUntilMs,
    maxCalls: offer.limits.maxCalls,
    callsUsed: 0,
    service: offer.service,
  };
}

/** Pays; when the node throws, its answer is lost, so the payment is looked up by hash. */
async function payInvoice(
  ctx: ClientContext,
  offer: Offer,
): Promise<{ payment?: Payment; thrown?: unknown }> {
  try {
    let payment = await ctx.node.pay(offer.challenge.invoice, {
      maxFeeMsat: offer.maxFeeMsat,
      ...(ctx.payTimeoutMs !== undefined ? { timeoutMs: ctx.payTimeoutMs } : {}),
    });
    if (payment.status === 'failed' && payment.failure?.reason === 'already_paid') {
      payment = (await ctx.node.lookupPayment(offer.paymentHash)) ?? payment;
    }
    return { payment };
  } catch (thrown) {
    const looked = await ctx.node.lookupPayment(offer.paymentHash).then(
      (p) => ({ payment: p }),
      // Neither answer nor record: its fate is unknown, treat it as in flight.
      () => ({ payment: { status: 'in_flight' } as Payment }),
    );
    return { ...looked, thrown };
  }
}

/**
 * Pay-on-success (hold invoices): pays and sends the retry `L402 <mac>:` at
 * once. The seller runs the handler while our HTLC is held, then settles
 * (delivered: we learn the preimage) or cancels (we are refunded).
 */
export async function payOnDelivery(
  ctx: ClientContext,
  offer: Offer,
  reservation: Reservation,
): Promise<{ paid: PaidOffer | PayFailure; delivery: Delivery; consumeMs: number }> {
  const at = ctx.clock.now();
  const pending = pendingToken(offer, at);
  await ctx.tokens.put(pending);
  const [{ payment, thrown }, delivery] = await Promise.all([
    payInvoice(ctx, offer),
    sendAuthorized(ctx, offer.req, `L402 ${offer.macaroon}:`, offer.paymentHash, 'consume'),
  ]);
  const consumeMs = ctx.clock.now() - at;
  const paid = await finishPayment(ctx, offer, reservation, pending, payment, thrown, at);
  return { paid, delivery, consumeMs };
}

async function finishPayment(
  ctx: ClientContext,
  offer: Offer,
  reservation: Reservation,
  pending: StoredToken,
  payment: Payment | undefined,
  thrown: unknown,
  at: number,
): Promise<PaidOffer | PayFailure> {
  const payMs = ctx.clock.now() - at;
  const emitPay = (ok: boolean, p: Payment | undefined, failure?: string) =>
    ctx.emit({
      atMs: at,
      durationMs: payMs,
      url: offer.url,
      buyer: ctx.buyer,
      step: 'pay',
      ok,
      amountMsat: ok ? (p?.amountMsat ?? offer.amountMsat) : offer.amountMsat,
      feeMsat: ok ? (p?.feeMsat ?? 0) : 0,
      hops: ok ? (p?.hops ?? 0) : 0,
      paymentHash: offer.paymentHash,
      ...(failure ? { failure } : {}),
    });

  if (
    payment?.status === 'succeeded' &&
    payment.preimage &&
    preimageMatches(payment.preimage, offer.paymentHash)
  ) {
    ctx.policy.settle(reservation, payment.amountMsat + payment.feeMsat);
    const token: StoredToken = { ...pending, state: 'paid', preimage: payment.preimage.toLowerCase() };
    await ctx.tokens.put(token);
    emitPay(true, payment);
    return { ok: true, token, payment, payMs };
  }
  if (payment === undefined || payment.status === 'failed') {
    ctx.policy.release(reservation);
    await ctx.tokens.evict(pending.origin, pending.pathPrefix, pending.paymentHash);
    const reason = payment?.failure
      ? `${payment.failure.reason}: ${payment.failure.message}`
      : `payment never started: ${(thrown as Error)?.message ?? thrown}`;
    emitPay(false, payment, reason);
    const outcome = payment?.failure ? outcomeOfPaymentFailure(payment.failure.reason) : 'payment_failed';
    return { ok: false, outcome, reason, payMs, payment };
  }
  // In flight, or a success whose preimage does not open the hash: fate unknown, keep everything held.
  const reason =
    payment.status === 'in_flight'
      ? 'payment still in flight; the token stays pending and is recovered by payment hash'
      : `node reported a preimage that does not hash to ${offer.paymentHash}`;
  emitPay(false, payment, reason);
  return {
    ok: false,
    outcome: payment.status === 'in_flight' ? 'payment_timeout' : 'payment_failed',
    reason,
    payMs,
    payment,
  };
}

function preimageMatches(preimageHex: string, paymentHashHex: string): boolean {
  try {
    return bytesToHex(sha256(hexToBytes(preimageHex.toLowerCase()))) === paymentHashHex.toLowerCase();
  } catch {
    return false;
  }
}

/** How an authorized request ended. */
export type Delivery =
  | { kind: 'delivered'; response: Response }
  | { kind: 'rejected'; outcome: 'token_rejected' | 'quota_exhausted'; answer: PaywallAnswer }
  | { kind: 'failed'; outcome: PurchaseOutcome; response?: Response; reason: string; status?: number };

/** Sends the request with a paid token and classifies the answer. */
export function sendWithToken(
  ctx: ClientContext,
  req: PreparedRequest,
  token: StoredToken,
  step: 'consume' | 'reuse',
): Promise<Delivery> {
  const auth = formatAuthorization({ macaroon: token.macaroon, preimage: token.preimage ?? '' });
  return sendAuthorized(ctx, req, auth, token.paymentHash, step);
}

async function sendAuthorized(
  ctx: ClientContext,
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
    ctx.emit({ ...base, step, status: 0, ok: false, paymentHash });
    return {
      kind: 'failed',
      outcome: step === 'consume' ? 'not_delivered' : 'seller_error',
      reason: sent.reason,
    };
  }
  const res = sent.response;
  const ok = res.status < 400;
  ctx.emit({ ...base, step, status: res.status, ok, paymentHash });
  if (ok) return { kind: 'delivered', response: res };
  if (res.status === 401 || res.status === 402) {
    const answer = await readPaywallAnswer(res);
    const outcome = answer.note.reason === 'quota_exhausted' ? 'quota_exhausted' : 'token_rejected';
    return { kind: 'rejected', outcome, answer };
  }
  if (res.status === 429)
    return { kind: 'failed', outcome: 'rate_limited', response: res, reason: 'HTTP 429', status: 429 };
  // The paywall let us through and the service failed: paid but not delivered.
  const outcome = res.status >= 500 ? 'not_delivered' : 'seller_error';
  return { kind: 'failed', outcome, response: res, reason: `HTTP ${res.status}`, status: res.status };
}
