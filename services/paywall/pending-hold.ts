/** A hold invoice this paywall issued and has not settled or canceled yet. */
export interface PendingHold {
  paymentHash: string;
  /** Known only to the seller until it settles: settling reveals it to the payer. */
  preimage: string;
  /** sha256 of the payer's secret, sent with the request for the hold invoice; the retry must show the secret. */
  payerLock: string;
  /** The challenge, so a retry that came too early can be answered with the same one. */
  token: string;
  invoice: string;
  tokenId: string;
  priceMsat: number;
  tier: number;
  expiresAtMs: number;
  /** A retry is waiting on or running the handler for this invoice. */
  busy: boolean;
  /** The payer's HTLC is locked in (the node said `accepted`). */
  accepted?: boolean;
  /** Delivered on a buyer-released retry: settles or cancels on the buyer's word, or cancels at expiry. */
  awaitingRelease?: boolean;
  /** Cancels the invoice at its expiry when the HTLC was accepted and no retry came. */
  expiry?: AbortController;
  /** Decided (settle or cancel) and not yet done by the node: kept, tried again, never re-sold. */
  resolving?: HoldVerdict;
}

/** What becomes of a hold: the seller takes the money or the payer gets it back. */
export type HoldVerdict = 'settle' | 'cancel';

/** Where a resolved hold ended. */
export type Final = 'settled' | 'canceled';
