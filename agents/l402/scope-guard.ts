import type { Held } from './engine-types.js';
import type { PayFailure } from './payment.js';
import type { SingleFlight } from './single-flight.js';
import type { StoredToken } from './token-store.js';

/** What a guarded payment does in each case. */
export interface GuardedCases<T> {
  /** Nobody holds a token for the resource: pay, as the one flight of the token's scope. */
  pay: () => Promise<T>;
  /**
   * Claims the caller's call on a usable token a purchase left meanwhile, checked and counted in one
   * synchronous step (`claimCall`); false when none is left for it (a concurrent purchase took the
   * last one since `held` looked): the caller looks again, and pays when nothing is left.
   */
  claim: (token: StoredToken) => boolean;
  /** A purchase that ran meanwhile left a usable token, our call on it claimed: use it (the hold is released). */
  share: (token: StoredToken) => T | Promise<T>;
  /** An earlier payment for the resource has an unknown fate: never pay a second time (hold released). */
  inFlight: (failed: PayFailure) => T;
}

/**
 * Why a purchase pays nothing while an earlier payment for its resource is still in flight (its
 * fate unknown): `payment_timeout`, and this purchase's own payment never started (`notStarted`,
 * no `payMs`: it began none, so no `pay` event either).
 */
export function earlierInFlight(paymentHash: string): PayFailure {
  const reason = `an earlier payment ${paymentHash} is still in flight`;
  return { ok: false, outcome: 'payment_timeout', reason, notStarted: true };
}

/**
 * Pays as the one purchase of a token scope (`key`: origin + the token's path
 * prefix), unless a purchase that ran meanwhile left a token for the resource:
 * purchases of sibling paths under one prefix token share one payment, as
 * purchases of one path do. `held` looks at the token store; `release` frees
 * the caller's policy hold when it does not pay.
 */
export async function guardScope<T>(
  flights: SingleFlight,
  key: string,
  held: () => Promise<Held>,
  release: () => void,
  cases: GuardedCases<T>,
): Promise<T> {
  for (;;) {
    const flight = flights.waitFor(key);
    if (flight) {
      await flight;
      continue;
    }
    const h = await held();
    if (flights.waitFor(key)) continue;
    if (h.kind === 'none') return flights.run(key, cases.pay);
    if (h.kind === 'usable' && !cases.claim(h.token)) continue;
    // Someone bought (or is still paying for) this resource meanwhile: never pay twice for it.
    release();
    if (h.kind === 'usable') return cases.share(h.token);
    return cases.inFlight(earlierInFlight(h.paymentHash));
  }
}
