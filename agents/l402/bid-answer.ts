/**
 * The bid's wire: the request that carries a bid (`withBid`), and reading a
 * seller's answers to it that carry no challenge: a counter-offer
 * (402 without `WWW-Authenticate`) and a refusal (403, 429, 503). Both are
 * untrusted: read up to 4 KiB within the engine's time limit, validated,
 * anything else is no answer.
 */
import { z } from 'zod';
import type { BodyTimeLimit } from '../../infra/http/bounded-body.js';
import { readBounded, sellerCode } from './paywall-response.js';
import type { PreparedRequest } from './request.js';

/** Request and response headers of the protocol (the paywall's names). */
export const BID = 'L402-Bid';
export const OFFER = 'L402-Offer';

/** Most bytes of a counter-offer or refusal body read. */
const BODY_LIMIT = 4 * 1024;
/** Longest offer token kept (the paywall's own limit). */
const OFFER_LIMIT = 512;

const counterSchema = z.object({
  reason: z.literal('counter_offer'),
  priceMsat: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  message: z.string().optional(),
  // The seller's word on the rounds it has left: a hint to the buyer's negotiator, dropped when malformed.
  roundsLeft: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
});

/** A counter-offer: its price, its (bounded) offer token, note and rounds left; undefined for anything else. */
export async function readCounter(
  res: Response,
  within: BodyTimeLimit,
): Promise<{ priceMsat: number; offer: string; note?: string; roundsLeft?: number } | undefined> {
  const offer = res.headers.get(OFFER);
  const text = await readBounded(res, BODY_LIMIT, within);
  if (!offer || offer.length > OFFER_LIMIT || text === undefined) return undefined;
  const parsed = counterSchema.safeParse(jsonOf(text));
  if (!parsed.success) return undefined;
  const { priceMsat, message, roundsLeft } = parsed.data;
  return { priceMsat, offer, note: message?.slice(0, 200), ...(roundsLeft !== undefined && { roundsLeft }) };
}

/** The error code of a refusal's JSON body (`no_deal`, `bid_rate_limited`) as records keep it (`sellerCode`); undefined for anything else. */
export async function refusalOf(res: Response, within: BodyTimeLimit): Promise<string | undefined> {
  const body = jsonOf((await readBounded(res, BODY_LIMIT, within)) ?? '');
  return sellerCode((body as { error?: unknown } | null)?.error);
}

/** Parsed JSON, or undefined when the text is not JSON. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The request with the bid (and the seller's standing offer) set, never any credential. */
export function withBid(req: PreparedRequest, bidMsat: number, offer: string | undefined): PreparedRequest {
  const headers = new Headers(req.headers);
  headers.delete('authorization');
  headers.set(BID, String(bidMsat));
  if (offer) headers.set(OFFER, offer);
  else headers.delete(OFFER);
  return { ...req, headers };
}
