import { MANIFEST_PATH, type L402Manifest } from '../../services/paywall/index.js';
import type { Listing } from '../../services/registry/types.js';
import {
  makeOffer,
  prepareRequest,
  readPaywallAnswer,
  send,
  tokenUsable,
  type ClientContext,
  type PreparedRequest,
} from '../l402/index.js';
import type { BuyerDeps } from './nodes.js';
import { buildPurchase, coverage, hintsFor, requestFor } from './purchase-record.js';
import type { BuyerStateT, BuyerUpdate, SellerQuote } from './state.js';

/**
 * How the buyer learns a seller's price: a token it already holds, the
 * seller's discovery manifest, or a live 402 challenge whose invoice is
 * checked against the listing (payee, advertised price of the token's tier).
 */
export function sellerQuoting(d: BuyerDeps, ctx: ClientContext) {
  const { clock, client } = d;

  /** One seller's quote: a token already held, or its live 402 challenge, checked. */
  /** The request a task sends to a listing, and a quote if a usable token for it is already held. */
  async function prepare(
    s: BuyerStateT,
    listing: Listing,
  ): Promise<{ req: PreparedRequest; held?: SellerQuote }> {
    const req = await prepareRequest(requestFor(listing, s.task), {
      method: s.task.method ?? 'GET',
      ...(s.task.body !== undefined ? { body: s.task.body } : {}),
      ...(s.task.headers !== undefined ? { headers: s.task.headers } : {}),
    });
    const token = client.tokens.get(req.origin, req.path);
    if (!token || !tokenUsable(token, clock.now())) return { req };
    return { req, held: { listing, req, source: 'token', priceMsat: 0, token } };
  }

  /** One seller's price: from its manifest when asked to, else its live 402 challenge, checked. */
  async function quoteOne(
    s: BuyerStateT,
    listing: Listing,
    req: PreparedRequest,
  ): Promise<SellerQuote | { failed: BuyerUpdate }> {
    const at = clock.now();
    if (d.quoteFrom === 'manifest') {
      const fromManifest = await manifestQuote(listing, req);
      if (fromManifest) return fromManifest;
    }
    return challengeQuote(s, listing, req, at);
  }

  /** The advertised price from the seller's `/.well-known/l402.json` (no invoice is created). */
  async function manifestQuote(listing: Listing, req: PreparedRequest): Promise<SellerQuote | undefined> {
    const sent = await send(ctx, {
      ...req,
      url: new URL(MANIFEST_PATH, req.url),
      method: 'GET',
      body: undefined,
    });
    if (!sent.ok || sent.response.status !== 200) {
      if (sent.ok) await sent.response.body?.cancel();
      return undefined;
    }
    const price = manifestPrice(await sent.response.json().catch(() => undefined), listing, req.path);
    return price === undefined ? undefined : { listing, req, source: 'manifest', priceMsat: price };
  }

  /** A live 402 challenge from the seller, its invoice checked against the listing. */
  async function challengeQuote(
    s: BuyerStateT,
    listing: Listing,
    req: PreparedRequest,
    at: number,
  ): Promise<SellerQuote | { failed: BuyerUpdate }> {
    const fail = (outcome: Parameters<typeof buildPurchase>[2]['outcome'], extra: object) => ({
      failed: {
        excluded: [listing.id],
        purchases: [
          buildPurchase(
            s,
            listing,
            { outcome, attempts: 1, startedAt: at, endedAt: clock.now(), ...extra },
            req.url.href,
          ),
        ],
      },
    });
    const sent = await send(ctx, req);
    if (!sent.ok) return fail(sent.outcome, { reason: sent.reason });
    ctx.emit({
      atMs: at,
      durationMs: clock.now() - at,
      url: req.url.href,
      buyer: ctx.buyer,
      step: 'challenge',
      status: sent.response.status,
    });
    if (sent.response.status !== 402) {
      await sent.response.body?.cancel();
      return fail('no_quote', {
        reason: `HTTP ${sent.response.status} instead of a 402 challenge`,
        status: sent.response.status,
      });
    }
    const answer = await readPaywallAnswer(sent.response);
    const hints = hintsFor(d.name, listing, s.task, coverage(s, undefined));
    const made = await makeOffer(ctx, req, answer, hints, at, (tier) => advertised(listing, tier));
    if (!made.ok)
      return fail(made.outcome, {
        reason: made.reason,
        rejection: made.rejection,
        status: 402,
        ...(made.quotedMsat !== undefined ? { quotedMsat: made.quotedMsat } : {}),
      });
    return { listing, req, source: 'challenge', priceMsat: made.offer.amountMsat, offer: made.offer };
  }

  return { prepare, quoteOne, challengeQuote };
}

/** The default tier's price of the manifest service matching the listing (by path, else by name). */
function manifestPrice(doc: unknown, listing: Listing, path: string): number | undefined {
  const m = doc as Partial<L402Manifest> | undefined;
  // A manifest naming another node than the listing is not a quote worth trusting.
  if (!m?.services || !Array.isArray(m.services) || m.provider?.node_pubkey !== listing.nodePubkey)
    return undefined;
  const svc = m.services.find((x) => x?.path === path) ?? m.services.find((x) => x?.name === listing.name);
  const price = svc?.tiers?.[0]?.price_msat;
  return Number.isSafeInteger(price) && price! > 0 ? price : undefined;
}

/** The advertised price of a tier (the token's tier; the first tier when unknown). */
export function advertised(listing: Listing, tier: number | undefined): number | undefined {
  const t = tier === undefined ? listing.tiers[0] : listing.tiers.find((x) => x.tier === tier);
  return t?.priceMsat;
}
