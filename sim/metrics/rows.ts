import type { TierKind as ListedTierKind } from '../../services/registry/types.js';

/**
 * The simulator's records: one row per purchase attempt (purchases.csv) and
 * one per task (tasks.csv). Times are ms of run time (0 = the run's start),
 * durations in ms. docs/simulator.md defines every column.
 */

/** Who made a purchase: an end buyer, a reseller's sub-agent, a reseller restocking or checking a bundle, or a seller buying upstream. */
export type PurchaseRole = 'buyer' | 'sub-agent' | 'reseller' | 'seller';

/** The steps of a purchase attempt, in the order they happen. */
export const STEPS = ['discover', 'quote', 'decide', 'authorize', 'pay', 'consume'] as const;
export type Step = (typeof STEPS)[number];

/**
 * Where an attempt ended: refused at quote time, denied by policy, failed to pay, reached the paid call,
 * or bought a token without making a call (`acquire`: a reseller restocking a bundle).
 */
export type Stage = 'quote' | 'authorize' | 'pay' | 'consume' | 'acquire';

/** Kinds of pricing tier: a seller's listed ones (single call, bundle of calls, time pass), or a reseller's slice of a bundle. */
export type TierKind = ListedTierKind | 'slice';

/** A pricing tier as a row names it: its kind, the calls it buys (single, bundle, slice), how long a pass lasts. */
export interface PricingTier {
  kind: TierKind;
  calls?: number;
  durationSec?: number;
}

/** When one step of an attempt started and how long it took. */
export interface StepSpan {
  atMs: number;
  ms: number;
}

/** One purchase attempt, whatever its outcome. */
export interface PurchaseRow {
  seq: number;
  /** When the attempt's first step started. */
  startMs: number;
  /** When its last step ended. */
  endMs: number;
  buyer: string;
  group: string;
  role: PurchaseRole;
  seller: string;
  capability: string;
  taskId: string;
  /**
   * The pricing tier of the token the attempt bought, used, or was offered and did not pay: `single`, `bundle`,
   * `pass`, or a reseller's `slice`; empty when the row carries no token or its seller lists no tier it names.
   */
  tierKind: TierKind | '';
  /** Calls that tier buys: 1 for `single`, N for a `bundle` or a `slice` of N (absent for a pass or no tier). */
  tierCalls?: number;
  /** Seconds a `pass` lasts (absent for other tiers). */
  tierSec?: number;
  stage: Stage;
  outcome: string;
  /**
   * The Lightning failure reason of a failed payment (stage `pay`: recipient_offline, fee_limit_exceeded, …;
   * `unknown` when the client's reason names none), `not_started` for a payment that never started (its node
   * never took it up: no payment tried, whatever the stage), else empty.
   */
  failure: string;
  /**
   * The seller's refusal code of a 401/402/403/503 answer (quota_exhausted, expired, credit_exhausted, …;
   * the client keeps only a snake_case word of at most 64 characters), else empty.
   */
  refusal: string;
  reason: string;
  /** Invoice amount the buyer saw (0 when no invoice was decoded, e.g. a held token was used). */
  quotedMsat: number;
  paidMsat: number;
  feeMsat: number;
  /**
   * What serving this call cost the seller that served it (its cost per delivered call; 0 otherwise): the
   * payee's, but a resold slice's call (its check) was served by the origin, whose cost it is.
   */
  sellerCostMsat: number;
  hops: number;
  /** HTTP requests the attempt sent to the seller (quote, negotiation bids, call). */
  requests: number;
  tokenReused: boolean;
  /**
   * Set on the row that redeems a payment whose paid call did not deliver (its token delivered another call,
   * so that payment was not for nothing): the later-recorded of the failed paid call's row and the row of the
   * token's first delivery recorded after it (`paymentsForNothing`). Absent otherwise.
   */
  paymentRedeemed?: true;
  /** Time from the start of the quote round to the quote this attempt acted on (absent: no quote, e.g. a held token). */
  quoteDelayMs?: number;
  /** 1-based order in which that quote arrived among its round's quotes (absent with `quoteDelayMs`). */
  arrivalRank?: number;
  /** Each step of the attempt that happened (absent steps did not happen). */
  steps: Partial<Record<Step, StepSpan>>;
}

/** One task an agent tried to finish: what it was worth, what it cost. */
export interface TaskRow {
  taskId: string;
  buyer: string;
  group: string;
  role: PurchaseRole;
  capability: string;
  calls: number;
  valueMsat: number;
  /** Value actually earned: all of it when done, a share for the calls delivered otherwise. */
  earnedMsat: number;
  done: boolean;
  spentMsat: number;
  feesMsat: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Why the task run ended (done, no_sellers, budget_exhausted, …; `unfinished`: the run ended under it). */
  stopReason: string;
}

/** Whether the run ended under the task, still running at its time limit (or its stop): recorded as it stood. */
export function unfinished(t: Pick<TaskRow, 'stopReason'>): boolean {
  return t.stopReason === 'unfinished';
}

/** Outcomes decided by the buyer's payment policy. */
const AUTHORIZE_OUTCOMES = new Set(['policy_denied', 'over_budget', 'escalated']);
/** Outcomes of a Lightning payment that did not go through. */
const PAY_OUTCOMES = new Set(['no_route', 'insufficient_balance', 'payment_timeout', 'payment_failed']);
/** Outcomes of a call made with a paid (or held) token. */
const CALL_OUTCOMES = new Set([
  'success',
  'not_delivered',
  'slice_refused',
  'token_rejected',
  'token_refused',
  'quota_exhausted',
]);

/** The stage an attempt ended at, from its outcome and what it paid. */
export function stageOf(r: {
  outcome: string;
  paidMsat: number;
  tokenReused: boolean;
  payMs?: number;
}): Stage {
  if (PAY_OUTCOMES.has(r.outcome)) return 'pay';
  if (AUTHORIZE_OUTCOMES.has(r.outcome)) return 'authorize';
  if (r.paidMsat > 0 || r.tokenReused || r.payMs !== undefined || CALL_OUTCOMES.has(r.outcome))
    return 'consume';
  return 'quote';
}

/** The Lightning failure reasons a payment can end with (infra/lightning/node.ts `PaymentFailureReason`). */
export const LIGHTNING_FAILURES = [
  'no_route',
  'insufficient_balance',
  'recipient_offline',
  'invoice_expired',
  'already_paid',
  'fee_limit_exceeded',
  'timeout',
  'incorrect_payment_details',
  'invalid_invoice',
  'wrong_network',
  'self_payment',
  'canceled',
  'error',
] as const;

/**
 * The failure enum of an attempt's payment: `not_started` when it never started (the purchase record's
 * `notStarted`); for a failed payment (stage `pay`) the Lightning reason the client words its reason with
 * (`<reason>: <node message>`), else `unknown`; otherwise empty.
 */
export function failureOf(stage: Stage, reason: string, notStarted = false): string {
  if (notStarted) return 'not_started';
  if (stage !== 'pay') return '';
  const head = /^([a-z_]+):/.exec(reason)?.[1];
  return head && (LIGHTNING_FAILURES as readonly string[]).includes(head) ? head : 'unknown';
}

/**
 * Whether the attempt tried a Lightning payment (and so counts in the payment success rate): its node was
 * asked to pay the invoice and took the payment up, whatever came of it: settled, failed (no HTLC sent for
 * want of a route or balance included), canceled (a refused pay-on-success slice) or of unknown fate. That
 * is a pay step, unless the payment never started (`not_started`: the buyer ended it before asking its
 * node, or the node's pay call threw and the node has no record of the payment). An attempt that began no
 * payment of its own (it used, or found still in flight, another purchase's payment) has no pay step.
 */
export function paymentAttempted(r: Pick<PurchaseRow, 'steps' | 'failure'>): boolean {
  return r.steps.pay !== undefined && r.failure !== 'not_started';
}

/**
 * Whether the row books a payment that recovery completed: it carries the payment's money
 * (`paidMsat` > 0) with no pay step of its own. The attempt that made that payment ended before its fate was
 * known (stage `pay`, `payment_timeout`, the task's `payment_unknown`) and counts its try; the later purchase
 * that first uses the recovered token books the money and counts that payment as gone through, not tried again.
 */
export function paymentRecovered(r: Pick<PurchaseRow, 'steps' | 'paidMsat'>): boolean {
  return r.paidMsat > 0 && r.steps.pay === undefined;
}

/**
 * Whether the row books a payment that went through (`purchases.paymentsSucceeded`): its own payment tried
 * (`paymentAttempted`) that paid, or a recovered one (`paymentRecovered`, tried on the row that made it).
 * Either way it carries the money (`paidMsat` > 0), so each payment that went through counts once.
 */
export function paymentSucceeded(r: Pick<PurchaseRow, 'steps' | 'failure' | 'paidMsat'>): boolean {
  return r.paidMsat > 0 && (paymentAttempted(r) || paymentRecovered(r));
}

/** Whether the attempt made a purchase at all: it paid or tried to, or presented a held token (latency counts these). */
export function attempted(r: Pick<PurchaseRow, 'stage'>): boolean {
  return r.stage === 'pay' || r.stage === 'consume' || r.stage === 'acquire';
}

/** Whether the attempt made a call with a paid or held token (an acquisition makes none). */
export function called(r: Pick<PurchaseRow, 'stage'>): boolean {
  return r.stage === 'consume';
}

/** Whether the attempt's call delivered (outcome `success` of a call; an acquisition delivers no call). */
export function delivered(r: Pick<PurchaseRow, 'stage' | 'outcome'>): boolean {
  return called(r) && r.outcome === 'success';
}

/** Whether the attempt paid for its token and its call did not deliver (the token may deliver a later call). */
export function paidCallFailed(r: Pick<PurchaseRow, 'stage' | 'outcome' | 'paidMsat'>): boolean {
  return called(r) && r.paidMsat > 0 && r.outcome !== 'success';
}

/**
 * The attempt's share of the payments for nothing (payments for a call whose token delivered no call in the
 * run): +1 for a paid call that did not deliver, −1 for the row that redeems one (`paymentRedeemed`), else 0.
 * Summed over a run's rows, in whatever order they were recorded, it counts each such payment once.
 */
export function forNothingShare(
  r: Pick<PurchaseRow, 'stage' | 'outcome' | 'paidMsat' | 'paymentRedeemed'>,
): number {
  return (paidCallFailed(r) ? 1 : 0) - (r.paymentRedeemed ? 1 : 0);
}

/** Whether a role's tasks are end tasks (buyers, sub-agents): an intermediary's tasks are costs inside what it sells. */
export function endRole(role: PurchaseRole): boolean {
  return role === 'buyer' || role === 'sub-agent';
}
