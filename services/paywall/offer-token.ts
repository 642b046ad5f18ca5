/**
 * The seller's signed word in a negotiation: "this service and tier, at this
 * price, until this instant, after this many rounds". The paywall keeps no
 * negotiation state; it MACs the offer and hands it to the buyer, who sends
 * it back with the next bid or to take the price. Verifying needs only the
 * key, so the memory a negotiation costs the seller is nothing per buyer.
 *
 * Wire form: `v1.<base64url JSON payload>.<base64url HMAC-SHA256>`; the MAC
 * covers the version and the payload as sent. Changing any field (the price
 * above all) breaks the MAC; an offer from another service, tier or key
 * does not verify here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an offer token says. */
export interface OfferTerms {
  service: string;
  tier: number;
  /** The price the seller is bound to, in msat. */
  priceMsat: number;
  /** The round this offer was made in (0 = answer to the first bid). */
  round: number;
  /** The offer holds strictly before this instant (paywall clock, ms). */
  expiresAtMs: number;
}

/** Why an offer token was refused. */
export type OfferTokenProblem = 'malformed' | 'bad_mac' | 'wrong_service' | 'expired';

/** Longest offer token accepted (a header value). */
export const MAX_OFFER_TOKEN_LENGTH = 512;

const VERSION = 'v1';
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The MAC over `v1.<payload>` with a domain label, so the key signs nothing else by accident. */
function mac(key: Uint8Array, signed: string): Buffer {
  return createHmac('sha256', key).update('l402-offer\0').update(signed).digest();
}

/** Signs `terms` into an offer token. */
export function signOffer(key: Uint8Array, terms: OfferTerms): string {
  const payload = Buffer.from(
    JSON.stringify({
      s: terms.service,
      t: terms.tier,
      p: terms.priceMsat,
      r: terms.round,
      e: terms.expiresAtMs,
    }),
  ).toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/**
 * Verifies an offer token for `service` and `tier` at `nowMs`. Fails closed:
 * anything but a well-formed, correctly MACed, unexpired offer for this
 * service and tier is a problem, never a default price.
 */
export function verifyOffer(
  key: Uint8Array,
  token: string,
  expect: { service: string; tier: number; nowMs: number },
): { ok: true; terms: OfferTerms } | { ok: false; problem: OfferTokenProblem; message: string } {
  const bad = (problem: OfferTokenProblem, message: string) => ({ ok: false as const, problem, message });
  if (typeof token !== 'string' || token.length > MAX_OFFER_TOKEN_LENGTH)
    return bad('malformed', `an offer token is a string of at most ${MAX_OFFER_TOKEN_LENGTH} characters`);
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !B64URL.test(parts[1]!) || !B64URL.test(parts[2]!))
    return bad('malformed', 'an offer token is v1.<payload>.<mac> in base64url');
  const given = Buffer.from(parts[2]!, 'base64url');
  const want = mac(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== want.length || !timingSafeEqual(given, want))
    return bad('bad_mac', 'the offer token was not signed by this seller or was changed');
  const terms = readTerms(parts[1]!);
  if (!terms) return bad('malformed', 'the offer token payload is not a valid offer');
  if (terms.service !== expect.service || terms.tier !== expect.tier)
    return bad(
      'wrong_service',
      `the offer is for ${terms.service} tier ${terms.tier}, not ${expect.service} tier ${expect.tier}`,
    );
  if (expect.nowMs >= terms.expiresAtMs)
    return bad('expired', `the offer expired at ${terms.expiresAtMs} ms, now is ${expect.nowMs} ms`);
  return { ok: true, terms };
}

/** The payload's fields, type-checked (signed by us, but parsed as strictly as anything else). */
function readTerms(payload: string): OfferTerms | undefined {
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object') return undefined;
  const { s, t, p, r, e } = o as Record<string, unknown>;
  const uint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (typeof s !== 'string' || !uint(t) || !uint(p) || p === 0 || !uint(r) || !uint(e)) return undefined;
  return { service: s, tier: t, priceMsat: p, round: r, expiresAtMs: e };
}
