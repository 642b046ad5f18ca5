import { CONDITION_SUFFIX, type Challenge, type TokenLimits } from '../../infra/l402/index.js';
import type { DecodedInvoice } from '../../infra/lightning/bolt11.js';
import type { Msat } from '../../infra/money.js';
import type { Decision, Offer as PolicyOffer, PaymentPolicy, PolicyContext } from '../policies/index.js';
import type { EngineContext, StepFailure } from './context.js';
import { checkInvoice, type InvoiceCheck } from './invoice-check.js';
import type { PurchaseHints } from './outcome.js';
import type { PaywallAnswer } from './paywall-response.js';
import type { PreparedRequest } from './request.js';
import { outsideBinding } from './token-binding.js';

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
  const { challenge, tokenPaymentHash, tokenLimits: limits } = answer;
  if (!challenge || !tokenPaymentHash || !limits)
    return {
      ok: false,
      outcome: 'no_quote',
      reason: answer.problem ?? 'no usable challenge',
      status: answer.status,
    };
  const { network } = await ctx.nodeInfo();
  // The advertised price of the tier the token is for, when the caller knows the seller's tiers.
  const tier = limits.services[0]?.tier;
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

/**
 * Why the token a challenge sells could not authorize `req`, read from its
 * caveats as the verifier reads them (undefined when it could): expired
 * before the paid call can arrive (it ends within `marginMs` of `nowMs`, the
 * client's `requestTimeoutMs`: the call follows the payment, and may take
 * that long to reach the seller), no call allowed, another method, a path
 * outside its prefix. Paying for such a token buys a refusal.
 */
function tokenCannotAuthorize(
  limits: TokenLimits,
  req: PreparedRequest,
  nowMs: number,
  marginMs: number,
): string | undefined {
  const caveat = (suffix: string) => `${limits.service}${suffix}`;
  const why = (what: string) => `the token cannot authorize ${req.method} ${req.path}: ${what}`;
  const { validUntilMs, maxCalls } = limits;
  if (validUntilMs !== undefined && validUntilMs <= nowMs + marginMs) {
    const ends = `its ${caveat(CONDITION_SUFFIX.validUntil)} ends at ${new Date(validUntilMs).toISOString()}`;
    const now = new Date(nowMs).toISOString();
    if (validUntilMs <= nowMs) return why(`${ends}, not after now (${now})`);
    return why(
      `${ends}, ${validUntilMs - nowMs} ms after now (${now}), within the client's requestTimeoutMs ` +
        `(${marginMs} ms) a paid call may take to reach the seller: it could arrive after the token ends`,
    );
  }
  if (maxCalls === 0) return why(`its ${caveat(CONDITION_SUFFIX.maxCalls)} is 0`);
  const outside = outsideBinding(limits, req.method, req.path);
  return outside === undefined ? undefined : why(outside);
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
