import type { Msat } from '../../infra/money.js';

/**
 * A priced option a buyer may take, as a policy sees it: one invoice, already
 * decoded and checked by the purchase engine, plus where it came from. The
 * engine's `Offer` (agents/l402) is this plus the evidence. Amounts are integer msat.
 */
export interface Offer {
  /** The invoice amount (what the seller receives). */
  amountMsat: Msat;
  /** The routing-fee ceiling the client will pay with; budgets reserve amount + this. */
  maxFeeMsat: Msat;
  /** The resource being bought. */
  url: string;
  /** Host (and port) of `url`, as the request names it (host lists compare `url`'s hostname and port instead). */
  host: string;
  /** The payee's node pubkey (33-byte hex) from the signed invoice. */
  payee: string;
  /** The service name, when the caller knows it (from the caller or the signed registry listing; never the 402 body). */
  service?: string;
  /** The registry category, when known. */
  category?: string;
  paymentHash?: string;
}

/** Facts about the moment and the buyer a policy may use. */
export interface PolicyContext {
  /** Now, on the injected clock. */
  nowMs: number;
  buyer?: string;
  /**
   * What this purchase is worth to the buyer (value-based policies): the
   * task's value, or, with `callsCovered`, the value of those calls of it.
   */
  taskValueMsat?: Msat;
  /** The task calls this purchase covers, when `taskValueMsat` is their share of the task's value (the buyer graph). */
  callsCovered?: number;
}

/**
 * Money held back for one payment in flight. Opaque to callers: hand it back
 * to `settle` or `release` of the policy that issued it, exactly once (a second
 * call is a no-op, so a crash-retry path cannot count a payment twice).
 */
export interface Reservation {
  readonly id: number;
  /** Held amount: the offer's amount plus its fee ceiling. */
  readonly amountMsat: Msat;
  readonly atMs: number;
  /** Name of the policy that issued it. */
  readonly policy: string;
  /** For composite policies: the reservation of each part, in order. */
  readonly parts?: readonly Reservation[];
}

/** Outcomes a denial maps to in the purchase record. */
export type DenyOutcome = 'policy_denied' | 'over_budget';

/** A policy's answer: pay (money reserved), refuse (with why), or ask a human/parent. */
export type Decision =
  | { kind: 'allow'; reservation: Reservation }
  | { kind: 'deny'; reason: string; outcome: DenyOutcome; policy: string }
  | { kind: 'escalate'; reason: string; policy: string };

/**
 * A payment policy. `authorize` must reserve atomically: the check and the
 * reservation happen in one synchronous step, so concurrent purchases can
 * never together exceed a budget. `settle` records what was really spent
 * (amount + fee); `release` returns the whole reservation (payment failed).
 */
export interface PaymentPolicy {
  readonly name: string;
  authorize(offer: Offer, ctx: PolicyContext): Decision | Promise<Decision>;
  settle(reservation: Reservation, actualMsat: Msat): void;
  release(reservation: Reservation): void;
  /**
   * The most this policy would allow `offer` to cost at `ctx` (integer msat, at least 0), whatever
   * `offer.amountMsat` is: the offer's payee, service and fee ceiling count, its amount does not. A
   * buyer that bids (price negotiation) bids no higher, so it never agrees a price its own policy
   * refuses. Undefined (or no method): no ceiling of its own. Advisory: `authorize` still decides,
   * and a budget's ceiling is what it has free at `ctx.nowMs`.
   */
  ceilingMsat?(offer: Offer, ctx: PolicyContext): Msat | undefined;
  /** One line for logs and reports. */
  describe(): string;
}

/** Why a policy configuration was refused (at build time, never while paying). */
export type PolicyErrorCode = 'invalid_policy_spec' | 'unknown_policy';

/** The amount a budget holds for an offer: worst case, so settling never exceeds it. */
export function heldAmount(offer: Offer): Msat {
  return offer.amountMsat + offer.maxFeeMsat;
}

/** A reservation issuer for policies that hold no money (lists, per-request caps). */
export function reservationIssuer(policy: string): (amountMsat: Msat, atMs: number) => Reservation {
  let next = 1;
  return (amountMsat, atMs) => ({ id: next++, amountMsat, atMs, policy });
}
