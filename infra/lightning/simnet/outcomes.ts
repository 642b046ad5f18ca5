import type { Msat } from '../../money.js';
import type { Payment, PaymentFailureReason } from '../node.js';

/**
 * Why one HTLC attempt failed at one hop, as the payer learns it (BOLT4
 * failure messages, reduced to what changes a payer's next move).
 */
export type HopFailure =
  /** The channel at `edge` lacked liquidity, HTLC slots or in-flight room. */
  | { kind: 'temporary_channel_failure'; edge: number; amountMsat: Msat }
  /** The node the HTLC should go to next was offline. */
  | { kind: 'unknown_next_peer'; edge: number; node: number }
  /** The HTLC broke the forwarding node's policy (fee, min/max HTLC) at `edge`. */
  | { kind: 'policy'; edge: number; message: string }
  /** The payee refused: a terminal outcome. */
  | { kind: 'final'; reason: PaymentFailureReason; message: string };

/** How one attempt along one route ended. */
export type AttemptResult =
  { kind: 'settled'; preimage: string } | { kind: 'failed'; hop: number; failure: HopFailure };

/** What a payee does with an HTLC that reached it; hold invoices answer later. */
export type FinalDecision =
  { kind: 'settle'; preimage: string } | { kind: 'fail'; reason: PaymentFailureReason; message: string };

/** A failed `Payment` value (never thrown). */
export function failedPayment(
  base: { paymentHash: string; amountMsat: Msat; createdAt: number; attempts?: number },
  reason: PaymentFailureReason,
  message: string,
  resolvedAt: number,
): Payment {
  return {
    paymentHash: base.paymentHash,
    status: 'failed',
    amountMsat: base.amountMsat,
    feeMsat: 0,
    hops: 0,
    attempts: base.attempts ?? 0,
    failure: { reason, message },
    createdAt: base.createdAt,
    resolvedAt,
  };
}

/** One line for logs: "temporary_channel_failure at 103x1x0". */
export function describeHopFailure(f: HopFailure, scid: (edge: number) => string): string {
  switch (f.kind) {
    case 'temporary_channel_failure':
      return `temporary channel failure at ${scid(f.edge)} (${f.amountMsat} msat)`;
    case 'unknown_next_peer':
      return `next peer offline after ${scid(f.edge)}`;
    case 'policy':
      return `policy failure at ${scid(f.edge)}: ${f.message}`;
    case 'final':
      return `payee refused: ${f.message}`;
  }
}
