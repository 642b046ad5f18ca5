/**
 * How the buyer learns a seller's price: a token it already holds, the
 * seller's discovery manifest, or a live 402 challenge whose invoice the
 * engine checks against the listing (payee, advertised price of the token's
 * tier, which must be the tier the buyer chose the seller for: see
 * chosen-tier.ts). A buyer that prefers a tier kind asks each seller
 * advertising one for it (`L402-Tier`); a manifest quote reads the price
 * of the chosen tier.
 */
import { readBody } from '../../infra/http/bounded-body.js';
import { MANIFEST_PATH, TIER_HEADER, type L402Manifest } from '../../services/paywall/index.js';
import type { Listing } from '../../services/registry/types.js';
import { prepareRequest, type PreparedRequest, type StoredToken } from '../l402/index.js';
import { askedTier, chosenTier, heldTo } from './chosen-tier.js';
import type { BuyerDeps } from './deps.js';
import { buildPurchase, coverage, hintsFor, requestFor, type PurchaseFields } from './purchase-record.js';
import type { BuyerStateT } from './state.js';
import type { BuyerPurchase, ListedOffer } from './types.js';

/** An offer whose quoting failed: the listing is excluded and the attempt recorded. */
export type FailedQuote = { failed: { excluded: string[]; purchases: BuyerPurchase[] } };

/** Most bytes of a seller's discovery manifest the buyer reads (a manifest is a few hundred bytes). */
export const MANIFEST_BODY_LIMIT = 64 * 1024;

/**
 * The request a task sends to a listing (tagged with the task's id), and an
 * offer at price 0 if a usable token for it is already held. It carries
 * `L402-Tier` when the buyer prefers a tier kind the listing advertises
 * (a task's own `L402-Tier` header wins), so the seller's 402 sells that tier.
 */
export async function prepare(
  d: BuyerDeps,
  s: BuyerStateT,
  listing: Listing,
): Promise<{ req: PreparedRequest; held?: ListedOffer }> {
  const headers = new Headers(s.task.headers);
  const tier = askedTier(listing, d.prefer)?.tier;
  if (tier !== undefined && !headers.has(TIER_HEADER)) headers.set(TIER_HEADER, String(tier));
  // Tagged with the task: the engine's step events say which task they belong to.
  const req = await prepareRequest(
    requestFor(listing, s.task),
    {
      method: s.task.method ?? 'GET',
      ...(s.task.body !== undefined ? { body: s.task.body } : {}),
      headers,
    },
    s.task.id,
  );
  const held = await d.engine.held(req);
  if (held.kind !== 'usable') return { req };
  return { req, held: tokenOffer(s, listing, req, held.token) };
}

/**
 * One seller's price: from its manifest when asked to, else its live 402
 * challenge, checked. An offer is stamped with when it arrived in its quote
 * round (`round.at`) and its rank among the round's arrivals so far.
 */
export async function quoteOne(
  d: BuyerDeps,
  s: BuyerStateT,
  listing: Listing,
  req: PreparedRequest,
  round: { at: number; count: number },
): Promise<ListedOffer | FailedQuote> {
  const at = d.clock.now();
  let r: ListedOffer | FailedQuote | undefined;
  if (d.quoteFrom === 'manifest') r = await manifestOffer(d, s, listing, req, at);
  // Without a usable manifest price, the live challenge follows the manifest request.
  r ??= await challengeOffer(d, s, listing, req, at, { requests: d.quoteFrom === 'manifest' ? 1 : 0 });
  if ('failed' in r) return r;
  return { ...r, arrival: { delayMs: d.clock.now() - round.at, rank: ++round.count } };
}

/**
 * The advertised price from the seller's `/.well-known/l402.json` (no invoice
 * is created). The manifest is read within `MANIFEST_BODY_LIMIT` bytes and
 * the client's `requestTimeoutMs`: a longer or slower one excludes the seller
 * (`no_quote`, naming the limit). Without a usable manifest price (no 200,
 * not JSON, no matching service) the live challenge is asked instead.
 */
async function manifestOffer(
  d: BuyerDeps,
  s: BuyerStateT,
  listing: Listing,
  req: PreparedRequest,
  at: number,
): Promise<ListedOffer | FailedQuote | undefined> {
  const url = new URL(MANIFEST_PATH, req.url);
  const sent = await d.engine.send({ ...req, url, method: 'GET', body: undefined });
  if (!sent.ok || sent.response.status !== 200) {
    if (sent.ok) await sent.response.body?.cancel();
    return undefined;
  }
  const timeoutMs = d.engine.requestTimeoutMs;
  // On the market clock, as every time limit of the engine is (systemClock on sockets).
  const body = await readBody(sent.response, MANIFEST_BODY_LIMIT, { clock: d.clock, ms: timeoutMs });
  if (!body.ok && body.problem !== 'unreadable') {
    const reason =
      body.problem === 'too_large'
        ? `manifest ${url.href} is over ${MANIFEST_BODY_LIMIT} bytes`
        : `manifest ${url.href} was not read within ${timeoutMs} ms`;
    return failedQuote(d, s, listing, req, at, 'no_quote', { reason, status: 200, requests: 1 });
  }
  const tier = chosenTier(listing, d.prefer, s.task);
  const price = body.ok ? manifestPrice(parseJson(body.bytes), listing, req.path, tier?.tier) : undefined;
  if (price === undefined) return undefined;
  return weigh(s, { listing, req, requests: 1, source: 'manifest', priceMsat: price, ...(tier && { tier }) });
}

/** Decodes manifests as `Response.json()` does (UTF-8, a BOM dropped); stateless, so one serves every call. */
const utf8 = new TextDecoder();

/** The document in `bytes`, or undefined when they are not JSON. */
function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/** A quote that failed: the listing is excluded for the task and one attempt recorded, with the requests it sent. */
function failedQuote(
  d: BuyerDeps,
  s: BuyerStateT,
  listing: Listing,
  req: PreparedRequest,
  at: number,
  outcome: PurchaseFields['outcome'],
  extra: Partial<PurchaseFields> & { requests: number },
): FailedQuote {
  const fields: PurchaseFields = { outcome, startedAt: at, endedAt: d.clock.now(), ...extra };
  return { failed: { excluded: [listing.id], purchases: [buildPurchase(s, listing, fields, req.url.href)] } };
}

/**
 * A live 402 challenge from the seller, its invoice checked against the
 * listing and, when the buyer chose the seller at a price it already read
 * (its manifest), against that price too. `before.requests`: the requests
 * already sent to the seller for this quote (its manifest); the challenge adds one.
 */
export async function challengeOffer(
  d: BuyerDeps,
  s: BuyerStateT,
  listing: Listing,
  req: PreparedRequest,
  at: number,
  before: { requests: number; quotedPriceMsat?: number },
): Promise<ListedOffer | FailedQuote> {
  const requests = before.requests + 1;
  const fail = (outcome: PurchaseFields['outcome'], extra: Partial<PurchaseFields>): FailedQuote =>
    failedQuote(d, s, listing, req, at, outcome, { ...extra, requests });
  const probe = await d.engine.probe(req);
  // A 3xx is an answer: its status is kept, as the client's purchase record keeps it.
  if (!probe.ok) {
    const { outcome, reason, status } = probe;
    return fail(outcome, { reason, ...(status !== undefined ? { status } : {}) });
  }
  if ('open' in probe) {
    await probe.open.body?.cancel();
    const status = probe.open.status;
    return fail('no_quote', { reason: `HTTP ${status} instead of a 402 challenge`, status });
  }
  const hints = {
    ...hintsFor(d.name, listing, s.task, coverage(s, undefined)),
    quotedPriceMsat: before.quotedPriceMsat,
  };
  const chosen = chosenTier(listing, d.prefer, s.task);
  const made = await d.engine.offer(req, probe.answer, hints, at, heldTo(listing, chosen));
  if (!made.ok) {
    const { outcome, reason, rejection, quotedMsat } = made;
    return fail(outcome, {
      reason,
      rejection,
      status: 402,
      ...(quotedMsat !== undefined ? { quotedMsat } : {}),
    });
  }
  return weigh(s, {
    listing,
    req,
    requests,
    source: 'challenge',
    priceMsat: made.offer.amountMsat,
    offer: made.offer,
  });
}

/** A held token as an offer at price 0. */
export function tokenOffer(
  s: BuyerStateT,
  listing: Listing,
  req: PreparedRequest,
  token: StoredToken,
): ListedOffer {
  return weigh(s, { listing, req, requests: 0, source: 'token', priceMsat: 0, token });
}

/** Fills in the task calls an offer serves now and what they are worth. */
export function weigh(s: BuyerStateT, o: Omit<ListedOffer, 'covers' | 'valueMsat'>): ListedOffer {
  const covers = coverage(s, o);
  return { ...o, covers, valueMsat: Math.floor((s.task.valueMsat * covers) / s.task.calls) };
}

/**
 * The price of `tier` (the chosen tier; absent for a listing naming no
 * tiers: the manifest's first) of the manifest service matching the
 * listing (by path, else by name).
 */
function manifestPrice(doc: unknown, listing: Listing, path: string, tier?: number): number | undefined {
  const m = doc as Partial<L402Manifest> | undefined;
  // A manifest naming another node than the listing is not a quote worth trusting.
  if (!m?.services || !Array.isArray(m.services) || m.provider?.node_pubkey !== listing.nodePubkey)
    return undefined;
  const svc = m.services.find((x) => x?.path === path) ?? m.services.find((x) => x?.name === listing.name);
  const tiers = svc?.tiers;
  const t =
    tier === undefined ? tiers?.[0] : Array.isArray(tiers) ? tiers.find((x) => x?.tier === tier) : undefined;
  const price = t?.price_msat;
  return Number.isSafeInteger(price) && price! > 0 ? price : undefined;
}
