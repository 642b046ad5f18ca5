import type { Msat } from '../../infra/money.js';

/** How one purchase ended, as an explicit enum the metrics group by. */
export type PurchaseOutcome =
  | 'success'
  | 'policy_denied'
  | 'over_budget'
  | 'invoice_rejected'
  /**
   * The payment reached no way to the payee: the node's `no_route`, `recipient_offline` (the payee, or the
   * payer's own peer, is offline) or `fee_limit_exceeded` (a route exists but costs more than the payer's fee
   * limit). Which one is the record's failure reason (`reason` starts with it; purchases.csv `failure`).
   */
  | 'no_route'
  /** The payer's own channels cannot carry the amount (the node's `insufficient_balance`). */
  | 'insufficient_balance'
  /**
   * The node's `timeout`, a payment still in flight when the client stopped waiting (its token stays pending),
   * or an earlier payment of the invoice or for the token's scope still in flight (this one never started: `notStarted`).
   */
  | 'payment_timeout'
  /** Any other failure reason (`invoice_expired`, `canceled`, `error`, …), a payment that never started (`notStarted`), or a wrong preimage. */
  | 'payment_failed'
  | 'token_rejected'
  /** A held token with calls left (by the buyer's count) was refused: dropped, nothing paid, no re-buy in this purchase. */
  | 'token_refused'
  | 'quota_exhausted'
  | 'seller_error'
  | 'not_delivered'
  /**
   * A resold slice failed the buyer's check at the origin (its hold canceled, nothing paid), or the reseller
   * offers no buyer release (`no_buyer_release`, nothing paid); `paidMsat` > 0 when the reseller settled anyway.
   */
  | 'slice_refused'
  | 'rate_limited'
  | 'no_quote'
  | 'escalated'
  /** A negotiation ended without a price both sides accept. */
  | 'no_agreement'
  /** The caller's own request could not be built (bad URL, unreadable body): nothing was sent. */
  | 'bad_request'
  /**
   * The run the purchase was part of ended before the purchase did (a simulation's time limit): a call
   * whose token was just paid for was still waiting for its answer. Paid, not delivered.
   */
  | 'unfinished';

/** Why a challenge was refused before paying: its invoice, or the token it sells. */
export type InvoiceRejection =
  | 'wrong_network'
  | 'expired'
  | 'hash_mismatch'
  | 'wrong_payee'
  | 'over_quoted_price'
  /** The invoice amount differs from the price the 402 body states. */
  | 'price_mismatch'
  | 'bad_invoice'
  | 'no_amount'
  /** The token's caveats cannot authorize the request: expired, 0 calls, another method, a path outside its prefix. */
  | 'unusable_token'
  /** The token is for a tier the seller's listing does not advertise, so no advertised price bounds it. */
  | 'unlisted_tier'
  /** The token is for a tier the listing advertises, but not the one the caller chose the seller for (its reason names both). */
  | 'wrong_tier'
  /** A negotiated token's terms (service and tier, calls, methods, capabilities, path prefix, a shorter validity) differ from the offer's. */
  | 'terms_changed';

/** What the caller knows before buying; every field is optional. */
export interface PurchaseHints {
  /** Payee pubkey the seller advertised (registry listing, manifest). */
  expectedPayee?: string;
  /** Price the seller advertised; an invoice above it is refused. */
  quotedPriceMsat?: Msat;
  /** The most the caller will pay for this request (before fees). */
  maxPriceMsat?: Msat;
  /** The service name policies act on (allowlists, `service_cap`): the caller's or the signed listing's, never the 402's. */
  service?: string;
  /** The registry category policies act on, from the signed listing. */
  category?: string;
  /** What this purchase is worth: the task's value, or with `callsCovered` the value of those calls (value-based policies). */
  taskValueMsat?: Msat;
  /** The task calls this purchase covers, when `taskValueMsat` is their share of the task's value. */
  callsCovered?: number;
  buyer?: string;
  payOnSuccess?: boolean;
  /** Use a stored token only: never pay (sub-agents living on a delegated slice). */
  reuseOnly?: boolean;
  /** The caller's label for this purchase (a task id), handed to `onEvent` with every step's event. */
  tag?: string;
}

/** Clock timestamps and durations (ms) of one purchase's steps. */
export interface PurchaseTimings {
  /** From the first request to the decoded, checked challenge. */
  quoteMs?: number;
  payMs?: number;
  /** The authorized request that delivered (or failed to). */
  consumeMs?: number;
  startedAt: number;
  endedAt: number;
}

/** The detailed record of one `purchase`: what happened, what it cost, how long it took. */
export interface PurchaseResult {
  outcome: PurchaseOutcome;
  /** The final HTTP response, read into memory within `maxBodyBytes` and `requestTimeoutMs` (dropped beyond them; the reason says so). A 401/402 refusal is not handed back. */
  response?: Response;
  /** The invoice amount seen in the challenge. */
  quotedMsat?: Msat;
  /** Delivered to the seller (0 when nothing was paid). */
  paidMsat: Msat;
  feeMsat: Msat;
  /** Channels on the payment route (0 when nothing was paid). */
  hops: number;
  /** HTTP requests sent for this purchase. */
  requests: number;
  /** True when a stored token was used and no payment was made. */
  tokenReused: boolean;
  paymentHash?: string;
  preimage?: string;
  /** The base64 macaroon used or bought. */
  macaroon?: string;
  /** Payee pubkey of the invoice (when one was seen). */
  payee?: string;
  /** Sub-reason: the invoice rejection, the policy's reason, the node's failure message… */
  reason?: string;
  /**
   * Set when the purchase's payment never started: its node never took it up, so nothing of it left the
   * node (no payment tried). The purchase ended it before asking the node (the node did not answer the
   * lookup of the invoice's hash, the token store could not keep the pending token, this node's earlier
   * payment of the invoice or an earlier payment for the token's scope is still in flight), or the node's
   * pay call threw and the node has no record of the payment. Its `pay` event, if any, carries it too.
   */
  notStarted?: true;
  /**
   * The seller's error code, its word: a 401/402 refusal's reason (`quota_exhausted`, `expired`, …) or
   * a failed answer's JSON `error` (a reseller's `credit_exhausted`); kept only as a short snake_case word.
   */
  refusal?: string;
  rejection?: InvoiceRejection;
  /** Final HTTP status, when a response was received. */
  status?: number;
  timings: PurchaseTimings;
}

/** One step of a purchase, emitted as it finishes (`onEvent`), for metrics and traces. */
export type PurchaseEvent = {
  atMs: number;
  durationMs: number;
  url: string;
  buyer?: string;
} & (
  | { step: 'challenge'; status: number; amountMsat?: Msat; payee?: string }
  | { step: 'check'; ok: boolean; amountMsat?: Msat; rejection?: InvoiceRejection; reason?: string }
  | { step: 'authorize'; decision: 'allow' | 'deny' | 'escalate'; reason?: string; amountMsat: Msat }
  | {
      step: 'pay';
      ok: boolean;
      amountMsat: Msat;
      feeMsat: Msat;
      hops: number;
      failure?: string;
      /** A payment that never started (`PurchaseResult.notStarted`): nothing of it left the node. */
      notStarted?: true;
      paymentHash: string;
    }
  | { step: 'consume'; status: number; ok: boolean }
  | { step: 'reuse'; status: number; ok: boolean; paymentHash: string }
);

/**
 * Maps a Lightning payment failure onto a purchase outcome: `no_route`, `recipient_offline` and
 * `fee_limit_exceeded` are `no_route`, `insufficient_balance` is itself, `timeout` is `payment_timeout`,
 * every other reason `payment_failed`. The reason itself stays in the record (`reason: <reason>: <message>`).
 */
export function outcomeOfPaymentFailure(reason: string): PurchaseOutcome {
  switch (reason) {
    case 'no_route':
    case 'fee_limit_exceeded':
    case 'recipient_offline':
      return 'no_route';
    case 'insufficient_balance':
      return 'insufficient_balance';
    case 'timeout':
      return 'payment_timeout';
    default:
      return 'payment_failed';
  }
}
