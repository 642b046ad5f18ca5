import type { Challenge, TokenLimits } from '../../infra/l402/index.js';
import type { DecodedInvoice } from '../../infra/lightning/bolt11.js';
import type { Msat } from '../../infra/money.js';
import type { Decision, Offer as PolicyOffer, PaymentPolicy, PolicyContext } from '../policies/index.js';
import type { EngineContext, StepFailure } from './context.js';
import { checkInvoice, type InvoiceCheck } from './invoice-check.js';
import type { PurchaseHints } from './outcome.js';
import type { PaywallAnswer } from './paywall-response.js';
import { boughtLimits, boughtTier, tokenCannotAuthorize } from './quoted-token.js';
import type { PreparedRequest } from './request.js';

/**
 * A priced option from one seller's 402: the policy's view (amount, fee
 * ceiling, where, who) plus the evidence it rests on, a checked invoice and
 * the token it buys. The one name for this concept from the paywall's
 * answer to the decider and the policy.
 */
export interface Offer extends PolicyOffer {
  req: PreparedRequest;
  challenge: Challenge;
  macaroon: string;
  invoice: DecodedInvoice;
  paymentHash: string;
  /** The 402 answer the offer came from (its body's words are the seller's, unsigned). */
  answer: PaywallAnswer;
  /** What the token will allow, read as the verifier reads it. */
  limits: TokenLimits;
  quotedAt: number;
  quoteMs: number;
}

/**
 * What the caller's listing of the seller says of a token tier: its
 * advertised price, undefined when it does not advertise it (refused
 * `unlisted_tier`), or `refused` with the caller's reason when it does but
 * the caller will not buy it (`wrong_tier`: not the tier it chose the seller for).
 */
export type AdvertisedPrice = (tier: number | undefined) => Msat | undefined | { refused: string };

/** Reads the challenge from a 402 answer, decodes and checks the invoice against the hints. */
export async function makeOffer(
  ctx: EngineContext,
  req: PreparedRequest,
  answer: PaywallAnswer,
  hints: PurchaseHints,
  startedAt: number,
  advertisedPrice?: AdvertisedPrice,
): Promise<{ ok: true; offer: Offer } | StepFailure> {
  const at = ctx.clock.now();
  const { challenge, tokenPaymentHash, tokenLimits: quoted } = answer;
  if (!challenge || !tokenPaymentHash || !quoted)
    return {
      ok: false,
      outcome: 'no_quote',
      reason: answer.problem ?? 'no usable challenge',
      status: answer.status,
    };
  const { network } = await ctx.nodeInfo();
  // Its limits for the service being bought, the ones the seller's verifier applies (else why unknown).
  const bought = boughtLimits(challenge.macaroon, quoted, hints.service);
  const limits = bought.ok ? bought.limits : quoted;
  // The advertised price of the tier the token is for, when the caller knows the seller's tiers.
  const tier = bought.ok ? boughtTier(limits) : undefined;
  const listed = advertisedPrice?.(tier);
  const advertised = typeof listed === 'number' ? listed : undefined;
  const ceilings = [hints.quotedPriceMsat, hints.maxPriceMsat, advertised].filter(
    (v): v is number => v !== undefined,
  );
  const invoiceCheck = checkInvoice(challenge.invoice, {
    network,
    nowMs: ctx.clock.now(),
    tokenPaymentHash,
    expectedPayee: hints.expectedPayee,
    maxAmountMsat: ceilings.length ? Math.min(...ceilings) : undefined,
    statedPriceMsat: answer.priceMsat,
    allowUnsigned: ctx.allowUnsigned,
  });
  const check = tokenCheck(invoiceCheck, () => {
    if (!bought.ok)
      return {
        rejection: 'unusable_token',
        reason: `the token cannot authorize ${req.method} ${req.path}: ${bought.reason}`,
      };
    if (typeof listed === 'object') return { rejection: 'wrong_tier', reason: listed.refused };
    // A tier the seller's own listing does not name has no advertised price to bound its invoice.
    if (advertisedPrice && listed === undefined)
      return {
        rejection: 'unlisted_tier',
        reason: `the token is for tier ${tier}, which the seller's listing does not advertise`,
      };
    const unusable = tokenCannotAuthorize(limits, req, ctx.clock.now(), ctx.requestTimeoutMs);
    return unusable ? { rejection: 'unusable_token', reason: unusable } : undefined;
  });
  const quotedMsat = check.ok ? check.amountMsat : check.invoice?.amountMsat;
  emitCheck(ctx, req, at, check, quotedMsat);
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
    host: req.url.host,
    challenge,
    macaroon: challenge.macaroon,
    invoice: check.invoice,
    amountMsat: check.amountMsat,
    maxFeeMsat: ctx.maxFeeMsat(check.amountMsat),
    payee: check.invoice.payee,
    paymentHash: check.invoice.paymentHash,
    answer,
    limits,
    // Policy facts come from the caller (or the signed listing it read), never from the seller's 402.
    service: hints.service,
    category: hints.category,
    quotedAt: ctx.clock.now(),
    quoteMs: ctx.clock.now() - startedAt,
  };
  return { ok: true, offer };
}

/** An invoice that passed its check, refused for the token it sells when `refusal` names a reason. */
function tokenCheck(
  invoiceCheck: InvoiceCheck,
  refusal: () => { rejection: 'unlisted_tier' | 'wrong_tier' | 'unusable_token'; reason: string } | undefined,
): InvoiceCheck {
  const refused = invoiceCheck.ok ? refusal() : undefined;
  return refused ? { ok: false, ...refused, invoice: invoiceCheck.invoice } : invoiceCheck;
}

/** The `check` step event: the challenge's verdict (its invoice, then its token) and the amount it asked. */
function emitCheck(
  ctx: EngineContext,
  req: PreparedRequest,
  at: number,
  check: InvoiceCheck,
  quotedMsat: Msat | undefined,
): void {
  ctx.emit(
    {
      atMs: at,
      durationMs: ctx.clock.now() - at,
      url: req.url.href,
      buyer: ctx.buyer,
      step: 'check',
      ok: check.ok,
      ...(quotedMsat !== undefined ? { amountMsat: quotedMsat } : {}),
      ...(check.ok ? {} : { rejection: check.rejection, reason: check.reason }),
    },
    req,
  );
}

/** Asks `policy`; an allow holds money until the payment settles or releases it. */
export async function authorizeOffer(
  ctx: EngineContext,
  policy: PaymentPolicy,
  offer: Offer,
  hints: PurchaseHints,
): Promise<Decision> {
  const at = ctx.clock.now();
  const decision = await policy.authorize(policyView(offer), policyContext(ctx, hints, at));
  ctx.emit(
    {
      atMs: at,
      durationMs: ctx.clock.now() - at,
      url: offer.url,
      buyer: ctx.buyer,
      step: 'authorize',
      decision: decision.kind,
      amountMsat: offer.amountMsat,
      ...(decision.kind === 'allow' ? {} : { reason: decision.reason }),
    },
    offer.req,
  );
  return decision;
}

/** The most `policy` would let `offer` cost now (its `ceilingMsat`), undefined when it names none. */
export function policyCeiling(
  ctx: EngineContext,
  policy: PaymentPolicy,
  offer: Offer,
  hints: PurchaseHints,
): Msat | undefined {
  return policy.ceilingMsat?.(policyView(offer), policyContext(ctx, hints, ctx.clock.now()));
}

/** What a policy is told besides the offer: the moment, the buyer, the purchase's value. */
function policyContext(ctx: EngineContext, hints: PurchaseHints, nowMs: number): PolicyContext {
  return {
    nowMs,
    buyer: hints.buyer ?? ctx.buyer,
    taskValueMsat: hints.taskValueMsat,
    callsCovered: hints.callsCovered,
  };
}

/** The offer's policy fields alone (policies see no evidence, and keep no reference to it). */
function policyView(o: Offer): PolicyOffer {
  return {
    amountMsat: o.amountMsat,
    maxFeeMsat: o.maxFeeMsat,
    url: o.url,
    host: o.host,
    payee: o.payee,
    service: o.service,
    category: o.category,
    paymentHash: o.paymentHash,
  };
}
