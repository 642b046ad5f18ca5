import {
  isL402Error,
  parseChallenges,
  readQuotedToken,
  type Challenge,
  type TokenLimits,
} from '../../infra/l402/index.js';
import { readBody, type BodyTimeLimit } from '../../infra/http/bounded-body.js';
import { systemClock } from '../../infra/time/clock.js';

/**
 * A seller's 401/402 answer, read once: the challenge a buyer can act on (or
 * why there is none) and what the body said. The body is the seller's
 * unsigned word: it names reasons for logs and records, never facts a policy
 * decides on.
 */
export interface PaywallAnswer {
  status: number;
  /** The challenge to pay: L402 over the legacy LSAT, and only one whose macaroon decodes. */
  challenge?: Challenge;
  /** The payment hash the challenge's macaroon commits to. */
  tokenPaymentHash?: string;
  /**
   * What the challenge's token will allow, read as the verifier reads it (with the payment hash,
   * from one decoding); no limits (`{ services: [] }`) when the verifier would refuse a caveat:
   * that costs the buyer only its reuse hints.
   */
  tokenLimits?: TokenLimits;
  /** Why no challenge is usable (set when `challenge` is absent). */
  problem?: string;
  /** The body's `error` (our paywall's JSON; other servers may send nothing). */
  error?: string;
  /** Why payment is required: 'missing', 'expired', 'quota_exhausted', … */
  reason?: string;
  priceMsat?: number;
  service?: string;
  tier?: number;
  /** The invoice is a hold invoice: pay and retry at once, the seller settles only on delivery. */
  payOnSuccess: boolean;
}

/** The header a buyer sends to ask for, and a seller returns to offer, pay-on-success (hold invoices). */
export const PAY_ON_SUCCESS = 'L402-Pay-On-Success';

/** Sent with a request for a hold invoice: hex sha256 of a secret only this buyer knows. */
export const PAYER_LOCK = 'L402-Payer-Lock';

/** Sent with the pay-on-success retry: the secret itself, so the macaroon alone never takes the call. */
export const PAYER_KEY = 'L402-Payer-Key';

/** A code a seller wrote (a refusal's reason, an answer's error) as records keep it: a short snake_case word, else none. */
export function sellerCode(text: unknown): string | undefined {
  return typeof text === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(text) ? text : undefined;
}

/** Most bytes of a 401/402 body read (the rest is cancelled unread). */
export const ANSWER_BODY_LIMIT = 64 * 1024;

/** The body time limit when the caller gives none: 30 s of wall time. */
const WALL_30S: BodyTimeLimit = { clock: systemClock, ms: 30_000 };

/**
 * Reads a 401/402 response (consuming at most `ANSWER_BODY_LIMIT` bytes of its body, within `within`:
 * the engine passes its `requestTimeoutMs` on its clock; default 30 s of wall time) into a `PaywallAnswer`.
 * Never throws.
 */
export async function readPaywallAnswer(
  res: Response,
  within: BodyTimeLimit = WALL_30S,
): Promise<PaywallAnswer> {
  const answer: PaywallAnswer = {
    status: res.status,
    ...chooseChallenge(res.headers.get('www-authenticate')),
    payOnSuccess: /^\s*(1|true|yes)\s*$/i.test(res.headers.get(PAY_ON_SUCCESS) ?? ''),
  };
  const text = await readBounded(res, ANSWER_BODY_LIMIT, within);
  if (!text) return answer;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (body && typeof body === 'object') {
      const str = (k: string) =>
        typeof body[k] === 'string' ? (body[k] as string).slice(0, 256) : undefined;
      const int = (k: string) => (Number.isSafeInteger(body[k]) ? (body[k] as number) : undefined);
      for (const [k, v] of Object.entries({
        error: str('error'),
        reason: str('reason'),
        priceMsat: int('priceMsat'),
        service: str('service'),
        tier: int('tier'),
      }))
        if (v !== undefined) (answer as unknown as Record<string, unknown>)[k] = v;
    }
  } catch {
    // Not JSON (Aperture sends plain text): the header is all we need.
  }
  return answer;
}

/** Decodes bodies (stateless: no stream option, so one decoder serves every call). */
const utf8 = new TextDecoder();

/** Reads a body as text up to `limit` bytes within `within`; a longer, slower or unreadable body gives undefined. Never throws. */
export async function readBounded(
  res: Response,
  limit: number,
  within: BodyTimeLimit = WALL_30S,
): Promise<string | undefined> {
  if (!res.body) return undefined;
  const body = await readBody(res, limit, within);
  return body.ok ? utf8.decode(body.bytes) : undefined;
}

/** The challenge to pay from a `WWW-Authenticate` value: L402 over LSAT, only one whose macaroon decodes. */
export function chooseChallenge(
  wwwAuthenticate: string | null,
): Pick<PaywallAnswer, 'challenge' | 'tokenPaymentHash' | 'tokenLimits' | 'problem'> {
  if (!wwwAuthenticate) return { problem: '402 without a WWW-Authenticate header' };
  let challenges: Challenge[];
  try {
    challenges = parseChallenges(wwwAuthenticate);
  } catch (err) {
    return { problem: isL402Error(err) ? `${err.code}: ${err.message}` : String(err) };
  }
  const ordered = [
    ...challenges.filter((c) => c.scheme === 'L402'),
    ...challenges.filter((c) => c.scheme === 'LSAT'),
  ];
  let lastError = 'no usable challenge';
  for (const challenge of ordered) {
    try {
      const { paymentHash, limits = { services: [] } } = readQuotedToken(challenge.macaroon);
      return { challenge, tokenPaymentHash: paymentHash, tokenLimits: limits };
    } catch (err) {
      lastError = isL402Error(err) ? `${err.code}: ${err.message}` : String(err);
    }
  }
  return { problem: `challenge macaroon unusable: ${lastError}` };
}
