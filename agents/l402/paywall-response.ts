import { isL402Error, parseChallenges, paymentHashOfToken, type Challenge } from '../../infra/l402/index.js';

/** What a seller said in a 402 body (our paywall's JSON; other servers may send nothing). */
export interface SellerNote {
  error?: string;
  /** Why payment is required: 'missing', 'expired', 'quota_exhausted', … */
  reason?: string;
  priceMsat?: number;
  service?: string;
  tier?: number;
}

/** A 401/402 answer read once: status, the header, the body's note. */
export interface PaywallAnswer {
  status: number;
  wwwAuthenticate: string | null;
  note: SellerNote;
  /** The invoice is a hold invoice: pay and retry at once, the seller settles only on delivery. */
  payOnSuccess: boolean;
}

/** The header a buyer sends to ask for, and a seller returns to offer, pay-on-success (hold invoices). */
export const PAY_ON_SUCCESS = 'L402-Pay-On-Success';

/** Sent with a request for a hold invoice: hex sha256 of a secret only this buyer knows. */
export const PAYER_LOCK = 'L402-Payer-Lock';

/** Sent with the pay-on-success retry: the secret itself, so the macaroon alone never takes the call. */
export const PAYER_KEY = 'L402-Payer-Key';

/** The challenge a buyer will act on, with the payment hash its macaroon commits to. */
export type ChosenChallenge =
  { ok: true; challenge: Challenge; tokenPaymentHash: string } | { ok: false; reason: string };

const BODY_LIMIT = 64 * 1024;

/** Reads a 401/402 response (consuming its body) into a `PaywallAnswer`. Never throws. */
export async function readPaywallAnswer(res: Response): Promise<PaywallAnswer> {
  const answer: PaywallAnswer = {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    note: {},
    payOnSuccess: /^\s*(1|true|yes)\s*$/i.test(res.headers.get(PAY_ON_SUCCESS) ?? ''),
  };
  try {
    const text = await res.text();
    if (text.length > 0 && text.length <= BODY_LIMIT) {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (body && typeof body === 'object') {
        const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
        const int = (k: string) => (Number.isSafeInteger(body[k]) ? (body[k] as number) : undefined);
        answer.note = {
          error: str('error'),
          reason: str('reason'),
          priceMsat: int('priceMsat'),
          service: str('service'),
          tier: int('tier'),
        };
      }
    }
  } catch {
    // Not JSON (Aperture sends plain text): the header is all we need.
  }
  return answer;
}

/**
 * Picks the challenge to pay from a `WWW-Authenticate` value: L402 over the
 * legacy LSAT (Aperture sends both), and only one whose macaroon decodes.
 */
export function chooseChallenge(wwwAuthenticate: string | null): ChosenChallenge {
  if (!wwwAuthenticate) return { ok: false, reason: '402 without a WWW-Authenticate header' };
  let challenges: Challenge[];
  try {
    challenges = parseChallenges(wwwAuthenticate);
  } catch (err) {
    return { ok: false, reason: isL402Error(err) ? `${err.code}: ${err.message}` : String(err) };
  }
  const ordered = [
    ...challenges.filter((c) => c.scheme === 'L402'),
    ...challenges.filter((c) => c.scheme === 'LSAT'),
  ];
  let lastError = 'no usable challenge';
  for (const challenge of ordered) {
    try {
      return { ok: true, challenge, tokenPaymentHash: paymentHashOfToken(challenge.macaroon) };
    } catch (err) {
      lastError = isL402Error(err) ? `${err.code}: ${err.message}` : String(err);
    }
  }
  return { ok: false, reason: `challenge macaroon unusable: ${lastError}` };
}
