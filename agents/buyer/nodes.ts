import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Listing } from '../../services/registry/types.js';
import {
  authorizeOffer,
  makeOffer,
  payOffer,
  sendWithToken,
  tokenUsable,
  type L402Client,
} from '../l402/index.js';
import type { PaymentPolicy } from '../policies/index.js';
import type { Decider } from './deciders/index.js';
import { buildPurchase, coverage, hintsFor } from './purchase-record.js';
import { advertised, sellerQuoting } from './quoting.js';
import type { BuyerStateT, BuyerUpdate, SellerQuote } from './state.js';
import type { BuyerPurchase, Candidate, Delegation, ListingSource } from './types.js';

/** What the buyer graph's nodes use. */
export interface BuyerDeps {
  name: string;
  registry: ListingSource;
  client: L402Client;
  decider: Decider;
  policy?: PaymentPolicy;
  clock: Clock;
  logger: Logger;
  /** Where quotes come from: live 402 challenges (default) or the sellers' discovery manifests. */
  quoteFrom: 'challenge' | 'manifest';
  /** While a usable token is held for some candidate, do not ask the others for invoices. */
  preferHeldTokens: boolean;
  /** Listings fetched per search (the buyer's search bandwidth). */
  searchLimit: number;
  /** Keep response bodies in the run's state (`outputs`). */
  keepOutputs: boolean;
  /** Turns an owned token into a delegation for a sub-agent (the delegate step). */
  delegate?: (
    token: { macaroon: string; preimage: string; origin: string; service?: string },
    spec: NonNullable<BuyerStateT['task']['delegate']>,
  ) => Delegation;
}

/** The graph's nodes: named functions of the state returning partial updates. Hot work is in agents/l402. */
export function buyerNodes(d: BuyerDeps) {
  const { clock, client } = d;
  // The agent's policy governs its purchases (it may differ from the client's default).
  const ctx = { ...client.steps, policy: d.policy ?? client.policy };
  const timed = (node: string, at: number) => [{ node, atMs: at, durationMs: clock.now() - at }];
  const { prepare, quoteOne, challengeQuote } = sellerQuoting(d, ctx);

  /** Registry search for sellers of the capability. */
  async function discover(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    let listings: Listing[];
    try {
      const found = await d.registry.search({
        capability: s.task.capability,
        ...(s.task.category ? { category: s.task.category } : {}),
        maxPriceMsat: s.task.valueMsat,
        alive: true,
        sort: 'price',
        limit: d.searchLimit,
      });
      if (Array.isArray(found)) listings = found;
      else if (found.ok) listings = found.listings;
      else throw new Error(`${found.code}: ${found.message}`);
    } catch (err) {
      d.logger.warn({ err, buyer: d.name }, 'registry search failed');
      return { stop: 'registry_unavailable', steps: timed('discover', at) };
    }
    return { listings, stop: listings.length ? undefined : 'no_sellers', steps: timed('discover', at) };
  }

  /** Quotes every seller not excluded and without a live quote, concurrently. */
  async function quote(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const quotes: Record<string, SellerQuote> = {};
    for (const [id, q] of Object.entries(s.quotes)) {
      // Drop quotes whose invoice expired or whose token ran out; they are re-quoted below.
      const live =
        q.source === 'token'
          ? tokenUsable(q.token!, at)
          : q.source === 'manifest' || q.offer!.invoice.expiresAtMs > at;
      if (live && !s.excluded.includes(id)) quotes[id] = q;
    }
    const unquoted = s.listings.filter((l) => !quotes[l.id] && !s.excluded.includes(l.id));
    const prepared = await Promise.all(unquoted.map((l) => prepare(s, l)));
    for (const p of prepared) if (p.held) quotes[p.held.listing.id] = p.held;
    // A token already paid for costs nothing more: while one is held, other sellers are not asked for invoices.
    const holding = d.preferHeldTokens && Object.values(quotes).some((q) => q.source === 'token');
    const results = holding
      ? []
      : await Promise.all(
          unquoted.flatMap((l, i) => (prepared[i]!.held ? [] : [quoteOne(s, l, prepared[i]!.req)])),
        );
    const excluded: string[] = [];
    const purchases: BuyerPurchase[] = [];
    results.forEach((r) => {
      if ('failed' in r) {
        excluded.push(...(r.failed.excluded as string[]));
        purchases.push(...(r.failed.purchases as BuyerPurchase[]));
      } else quotes[r.listing.id] = r;
    });
    const any = Object.keys(quotes).length > 0;
    return {
      quotes,
      excluded,
      purchases,
      stop: any ? undefined : 'no_acceptable_offer',
      steps: timed('quote', at),
    };
  }

  /** The decider picks among live quotes, in registry order. */
  async function decide(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const live = s.listings
      .map((l) => s.quotes[l.id])
      .filter((q): q is SellerQuote => !!q && !s.excluded.includes(q.listing.id))
      // A token that is used up or expired is no offer: quote re-probes its seller.
      .filter((q) => q.source !== 'token' || tokenUsable(q.token!, at));
    const candidates: Candidate[] = live.map((q) => {
      const covers = coverage(s, q);
      return {
        listing: q.listing,
        priceMsat: q.priceMsat,
        source: q.source,
        covers,
        valueMsat: Math.floor((s.task.valueMsat * covers) / s.task.calls),
      };
    });
    const choice = candidates.length
      ? await d.decider.choose(candidates, s.task)
      : { index: -1, reason: 'no live quote', record: undefined };
    const chosen = choice.index >= 0 ? candidates[choice.index]!.listing.id : undefined;
    return {
      chosen,
      decisions: choice.record ? [choice.record] : [],
      stop: chosen ? undefined : 'no_acceptable_offer',
      steps: timed('decide', at),
    };
  }

  /** The payment policy holds the money, or says no. */
  async function authorize(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    let q = s.quotes[s.chosen!]!;
    if (q.source === 'token') return { steps: timed('authorize', at) };
    let quotes: Record<string, SellerQuote> | undefined;
    if (q.source === 'manifest') {
      // Chosen from its manifest: now ask for the real challenge, checked like any other.
      const live = await challengeQuote(s, q.listing, q.req, at);
      if ('failed' in live) return { ...live.failed, steps: timed('authorize', at) };
      q = live;
      quotes = { ...s.quotes, [q.listing.id]: q };
    }
    const hints = hintsFor(d.name, q.listing, s.task, coverage(s, q));
    const decision = await authorizeOffer(ctx, q.offer!, hints);
    if (decision.kind === 'allow')
      return {
        reservation: decision.reservation,
        ...(quotes ? { quotes } : {}),
        steps: timed('authorize', at),
      };
    const outcome = decision.kind === 'deny' ? decision.outcome : 'escalated';
    return {
      purchases: [
        buildPurchase(
          s,
          q.listing,
          {
            outcome,
            reason: decision.reason,
            quotedMsat: q.priceMsat,
            startedAt: at,
            endedAt: clock.now(),
            attempts: 0,
          },
          q.req.url.href,
        ),
      ],
      excluded: outcome === 'policy_denied' ? [q.listing.id] : [],
      stop:
        outcome === 'over_budget' ? 'budget_exhausted' : outcome === 'escalated' ? 'escalated' : undefined,
      steps: timed('authorize', at),
    };
  }

  /** Pays the chosen invoice; on failure the seller is dropped and the next-best quote gets its turn. */
  async function pay(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.quotes[s.chosen!]!;
    const paid = await payOffer(ctx, q.offer!, s.reservation!);
    const { [q.listing.id]: _used, ...rest } = s.quotes;
    if (!paid.ok) {
      return {
        quotes: rest,
        reservation: undefined,
        excluded: [q.listing.id],
        purchases: [
          buildPurchase(
            s,
            q.listing,
            {
              outcome: paid.outcome,
              reason: paid.reason,
              quotedMsat: q.priceMsat,
              payMs: paid.payMs,
              startedAt: at,
              endedAt: clock.now(),
              attempts: 1,
              paymentHash: q.offer!.paymentHash,
            },
            q.req.url.href,
          ),
        ],
        steps: timed('pay', at),
      };
    }
    const p = paid.payment;
    const tokenQuote: SellerQuote = {
      listing: q.listing,
      req: q.req,
      source: 'token',
      priceMsat: 0,
      token: paid.token,
      fresh: true,
      paid: {
        amountMsat: p.amountMsat,
        feeMsat: p.feeMsat,
        hops: p.hops,
        payMs: paid.payMs,
        quoteMs: q.offer!.quoteMs,
      },
    };
    return {
      quotes: { ...rest, [q.listing.id]: tokenQuote },
      reservation: undefined,
      spentMsat: p.amountMsat,
      feesMsat: p.feeMsat,
      steps: timed('pay', at),
    };
  }

  /** Calls the service with the token; a spent token's fresh challenge becomes the seller's new quote. */
  async function consume(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.quotes[s.chosen!]!;
    const token = q.token!;
    client.tokens.recordUse(token);
    const delivery = await sendWithToken(ctx, q.req, token, q.fresh ? 'consume' : 'reuse');
    const base = {
      quotedMsat: q.paid ? q.offer?.amountMsat : undefined,
      paidMsat: q.paid?.amountMsat ?? 0,
      feeMsat: q.paid?.feeMsat ?? 0,
      hops: q.paid?.hops ?? 0,
      payMs: q.paid?.payMs,
      quoteMs: q.paid?.quoteMs,
      tokenReused: !q.fresh,
      paymentHash: token.paymentHash,
      preimage: token.preimage,
      macaroon: token.macaroon,
      payee: q.listing.nodePubkey,
      attempts: 1,
      consumeMs: clock.now() - at,
      startedAt: at,
      endedAt: clock.now(),
    };
    // From now on the token is an old one: later calls are reuses.
    const reused: SellerQuote = { ...q, fresh: false, paid: undefined };
    if (delivery.kind === 'delivered') {
      const body = await delivery.response.text();
      return {
        quotes: { ...s.quotes, [q.listing.id]: reused },
        callsDone: 1,
        outputs: d.keepOutputs ? [body] : [],
        purchases: [
          buildPurchase(
            s,
            q.listing,
            { ...base, outcome: 'success', status: delivery.response.status },
            q.req.url.href,
          ),
        ],
        steps: timed('consume', at),
      };
    }
    await client.tokens.evict(token.origin, token.pathPrefix, token.paymentHash);
    const { [q.listing.id]: _gone, ...rest } = s.quotes;
    const quotes: Record<string, SellerQuote> = rest;
    const excluded: string[] = [];
    // A token we just paid for and that is refused at once is the seller's fault: never pay it again.
    if (delivery.kind === 'rejected' && q.fresh) excluded.push(q.listing.id);
    else if (delivery.kind === 'rejected') {
      const hints = hintsFor(d.name, q.listing, s.task, coverage(s, undefined));
      const made = await makeOffer(ctx, q.req, delivery.answer, hints, at, (tier) =>
        advertised(q.listing, tier),
      );
      if (made.ok)
        quotes[q.listing.id] = {
          listing: q.listing,
          req: q.req,
          source: 'challenge',
          priceMsat: made.offer.amountMsat,
          offer: made.offer,
        };
    } else {
      await delivery.response?.body?.cancel();
      excluded.push(q.listing.id);
    }
    const reason =
      delivery.kind === 'rejected'
        ? (delivery.answer.note.reason ?? `HTTP ${delivery.answer.status}`)
        : delivery.reason;
    return {
      quotes,
      excluded,
      purchases: [
        buildPurchase(s, q.listing, { ...base, outcome: delivery.outcome, reason }, q.req.url.href),
      ],
      steps: timed('consume', at),
    };
  }

  /** Counts what is done and decides nothing itself: the router after it reads the state. */
  async function evaluate(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    if (s.callsDone >= s.task.calls) return { stop: 'done', steps: timed('evaluate', at) };
    return { steps: timed('evaluate', at) };
  }

  /** Hands a sub-agent an attenuated copy of the token just used. */
  async function delegateStep(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.chosen ? s.quotes[s.chosen] : undefined;
    if (!d.delegate || !s.task.delegate || !q?.token?.preimage) return { steps: timed('delegate', at) };
    const delegation = d.delegate(
      {
        macaroon: q.token.macaroon,
        preimage: q.token.preimage,
        origin: q.req.origin,
        service: q.token.service,
      },
      s.task.delegate,
    );
    return { delegations: [delegation], steps: timed('delegate', at) };
  }

  return { discover, quote, decide, authorize, pay, consume, evaluate, delegate: delegateStep };
}
