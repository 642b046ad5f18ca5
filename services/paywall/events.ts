/**
 * What the paywall reports, one event per challenge, per authorized call,
 * per rejection, per pay-on-success outcome, and per prepaid call given back
 * because its request was aborted before its answer went out (`given_back`,
 * reason `request_aborted`: the call was authorized, never served). The simulator folds these
 * into its metrics; a standalone seller may log them.
 */
export interface PaywallEvent {
  type: 'challenge' | 'authorized' | 'rejected' | 'settled' | 'refunded' | 'given_back';
  /** The paywall clock's time, in ms. */
  atMs: number;
  service: string;
  tier?: number;
  tokenId?: string;
  paymentHash?: string;
  priceMsat?: number;
  /** Why a request was rejected or challenged (machine-readable, see `RejectReason`). */
  reason?: string;
  path: string;
  method: string;
  /** HTTP status the paywall answered with (rejections and challenges), or the handler's status (settled/refunded). */
  status?: number;
}

/**
 * Why a request did not reach the handler. The L402 verification codes pass
 * through as they are (`bad_signature`, `capability_denied`, …).
 */
export type RejectReason =
  | 'missing'
  | 'expired'
  | 'quota_exhausted'
  | 'unpaid'
  | 'token_state_unknown'
  | 'too_many_counters'
  | 'rate_limited'
  /** A bid refused before the seller's negotiator was asked: over `negotiatorRate`. */
  | 'bid_rate_limited'
  /** A hold invoice asked for, or its retry, while the paywall has no pay-on-success refund left (`holdRefundRate`). */
  | 'hold_refunds_limited'
  | 'hold_not_found'
  | 'hold_in_progress'
  | 'payment_not_received'
  | 'unknown_tier'
  | 'bad_header'
  | 'price_unavailable'
  | 'invoice_unavailable'
  | string;

/** A listener for paywall events; exceptions it throws are logged, never break a request. */
export type PaywallEventListener = (e: PaywallEvent) => void;
