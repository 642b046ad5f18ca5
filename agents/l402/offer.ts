import type { Challenge } from '../../infra/l402/index.js';
import type { DecodedInvoice } from '../../infra/lightning/bolt11.js';
import type { Msat } from '../../infra/money.js';
import type { Decision, Quote } from '../policies/index.js';
import type { ClientContext, StepFailure } from './context.js';
import { checkInvoice } from './invoice-check.js';
import type { PurchaseHints } from './outcome.js';
import { chooseChallenge, type PaywallAnswer, type SellerNote } from './paywall-response.js';
import { buildRequest, type PreparedRequest } from './request.js';
import { readTokenLimits, type TokenLimits } from './token-caveats.js';

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
  const quotedMsat = check.ok ? check.amountMsat : check.invoice?.amountMsat;
  ctx.emit({
    ...base,
    step: 'check',
    ok: check.ok,
    ...(quotedMsat !== undefined ? { amountMsat: quotedMsat } : {}),
    ...(check.ok ? {} : { rejection: check.rejection, reason: check.reason }),
  });
  if (!check.ok) {
    return {
      ok: false,
      outcome: 'invoice_rejected',
      rejection: check.rejection,
      reason: check.reason,
      status: 402,
      ...(quotedMsat !== undefined ? { quotedMsat } : {}),
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
