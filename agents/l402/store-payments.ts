import { pathWithin } from '../../infra/l402/index.js';
import type { Offer } from './offer.js';
import type { PreparedRequest } from './request.js';
import { earlierInFlight, type GuardedCases } from './scope-guard.js';
import { outsideBinding } from './token-binding.js';
import type { StoredToken, TokenStore } from './token-store.js';

/** One payment an engine has in flight: the scope its token will cover, and a promise of its end. */
interface Paying {
  /** The engine paying it. */
  owner: object;
  offer: Offer;
  /** Resolves when the payment's fate is settled either way (it never rejects). */
  done: Promise<void>;
}

/**
 * The payments in flight on each token store, by payment hash: every engine on
 * one store sees them (as it sees the store's tokens), so a second engine that
 * finds a pending token another is still paying for waits for that payment
 * instead of recovering it (looking it up before the node has it, then dropping
 * it) and buying a second token that would replace the first.
 */
const paying = new WeakMap<TokenStore, Map<string, Paying>>();

/**
 * Marks `offer`'s payment as in flight on `tokens` for `owner` until the returned function runs;
 * mark it before its pending token is stored, so the token is never seen unmarked while paid for.
 */
export function markPaying(tokens: TokenStore, offer: Offer, owner: object): () => void {
  let map = paying.get(tokens);
  if (!map) paying.set(tokens, (map = new Map()));
  let settled!: () => void;
  const entry: Paying = { owner, offer, done: new Promise<void>((r) => (settled = r)) };
  map.set(offer.paymentHash, entry);
  return () => {
    // A later send of the same hash (a seller serving one invoice twice) keeps its own mark.
    if (map.get(offer.paymentHash) === entry) map.delete(offer.paymentHash);
    settled();
  };
}

/** The end of the payment of `paymentHash` in flight on `tokens` (any engine's), if one is. */
export function payingFor(tokens: TokenStore, paymentHash: string): Promise<void> | undefined {
  return paying.get(tokens)?.get(paymentHash)?.done;
}

/**
 * The end of a payment another engine than `owner` has in flight on `tokens` for a token that
 * would cover `req` (its origin, path prefix and method caveats), if one is: a payment whose
 * pending token is not stored yet (its node is still asked whether the hash was paid before).
 */
export function othersPayingFor(
  tokens: TokenStore,
  req: PreparedRequest,
  owner: object,
): Promise<void> | undefined {
  for (const p of paying.get(tokens)?.values() ?? []) {
    if (p.owner === owner || p.offer.req.origin !== req.origin) continue;
    const prefix = p.offer.limits.pathPrefix ?? p.offer.req.path;
    if (pathWithin(req.path, prefix) && outsideBinding(p.offer.limits, req.method, req.path) === undefined)
      return p.done;
  }
  return undefined;
}

/** The pending token of `offer`'s payment, as `tokens` holds it (its count is the one recovery completes). */
export function pendingOf(tokens: TokenStore, offer: Offer): StoredToken | undefined {
  return tokens.list().find((t) => t.state === 'pending' && t.paymentHash === offer.paymentHash);
}

/**
 * Runs `cases.pay` once no other engine on `tokens` is paying for a token that would cover `req`:
 * checked in the same synchronous step as `pay` marks its own payment (`markPaying`, before any
 * await), so two engines never both pay for one scope. After waiting for one, what it left decides,
 * as `guardScope` does: a usable token (the caller's call claimed on it) is shared; one still pending
 * that nobody here is paying is an earlier payment in flight, never paid twice; none, or one without
 * a call left, is paid for. `release` frees the caller's policy hold when it does not pay.
 */
export async function payAlone<T>(
  tokens: TokenStore,
  req: PreparedRequest,
  owner: object,
  release: () => void,
  cases: GuardedCases<T>,
): Promise<T> {
  for (let other = othersPayingFor(tokens, req, owner); other; other = othersPayingFor(tokens, req, owner)) {
    await other;
    const t = tokens.get(req.origin, req.path, req.method);
    if (t?.state === 'pending' && !payingFor(tokens, t.paymentHash)) {
      release();
      return cases.inFlight(earlierInFlight(t.paymentHash));
    }
    if (t?.state === 'paid' && cases.claim(t)) {
      release();
      return cases.share(t);
    }
  }
  return cases.pay();
}
