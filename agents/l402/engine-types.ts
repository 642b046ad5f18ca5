import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaymentPolicy } from '../policies/index.js';
import type { StepFailure } from './context.js';
import type { Delivery } from './delivery.js';
import type { BuyerNegotiator, Negotiated } from './negotiate.js';
import type { AdvertisedPrice, Offer } from './offer.js';
import type { PurchaseEvent, PurchaseHints } from './outcome.js';
import type { Grant, PaidOffer, PayFailure } from './payment.js';
import type { PaywallAnswer } from './paywall-response.js';
import type { PreparedRequest } from './request.js';
import type { StoredToken, TokenStore } from './token-store.js';

/** What a purchase engine needs. */
export interface PurchaseEngineOptions {
  node: LightningNode;
  fetch: typeof fetch;
  /**
   * Default: `maxPerRequest` at `defaultMaxPriceMsat`, so no policy never
   * means any price. Pass a policy (for example `allowAll()`) to decide otherwise.
   */
  policy?: PaymentPolicy;
  /** The per-request price ceiling used when no `policy` is given (default `DEFAULT_MAX_PRICE_MSAT`). */
  defaultMaxPriceMsat?: Msat;
  /** Default: a fresh in-memory store. */
  tokens?: TokenStore;
  clock: Clock;
  logger?: Logger;
  /** Routing-fee ceiling for an amount (default: 1%, at least 1 sat). */
  maxFeeMsat?: (amountMsat: Msat) => Msat;
  /** Told each step of each purchase as it finishes, with the tag of the purchase's request (`PreparedRequest.tag`). */
  onEvent?: (e: PurchaseEvent, tag: string | undefined) => void;
  /** Most ms of `clock` each probe or delivery request waits for its answer, and a body for its bytes (default `DEFAULT_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs?: number;
  /** Most bytes of a delivered (2xx) body the client reads, within `requestTimeoutMs` (default `DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Passed to `node.pay` as its timeout. */
  payTimeoutMs?: number;
  /** Accept unsigned simnet invoices (`signInvoices: false`); never on a real network. */
  acceptUnsignedInvoices?: boolean;
  /** Name of the buyer, carried in events and policy contexts. */
  buyer?: string;
}

/** The token held for a resource once pending ones are settled: usable, unusable (or none), or a payment whose fate is unknown. */
export type Held =
  | { kind: 'usable'; token: StoredToken }
  | { kind: 'none'; token?: StoredToken }
  | { kind: 'in_flight'; paymentHash: string };

/** What the unauthenticated request got: a paywall answer, or a response that asked for nothing. */
export type Probe = { ok: true; answer: PaywallAnswer } | { ok: true; open: Response } | StepFailure;

/** Proof that the caller runs the one purchase of a resource (from `exclusive`). */
export interface Lease {
  readonly key: string;
}

/**
 * One purchase engine: probe → offer → authorize → pay → deliver. The stages
 * are separate so a graph can run them as nodes (and choose between sellers
 * in between); the plain client is the same stages run straight through
 * (client.ts). The engine owns the guards, whichever way it is run:
 * single-flight per resource, a pending token written before paying,
 * claim-before-wake, crash recovery by payment hash, and no second payment
 * while another purchase of the resource is running or a usable token is held.
 */
export interface PurchaseEngine {
  readonly tokens: TokenStore;
  readonly policy: PaymentPolicy;
  readonly buyer?: string;
  /** Most ms a response's body may take to arrive once its headers have (the client's `requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /**
   * The token held for the request's resource; a pending one is waited for (ours) or recovered (a crash's).
   * With `claim`, `usable` means one call is counted for the caller in the same step as the check (see
   * `claim`): send it with `deliver(…, { claim: false })`. Without, `usable` is a look only: a caller that
   * awaits anything before sending must `claim` then.
   */
  held(req: PreparedRequest, opts?: { claim?: boolean }): Promise<Held>;
  /**
   * Claims one call on a held token when it has one left, checked and counted in one synchronous step:
   * of concurrent purchases that saw the same N calls left, exactly N get true; the others must buy or
   * quote instead of sending it. A call given back (a 5xx, no answer) can be claimed again.
   */
  claim(token: StoredToken): boolean;
  /** An unpaid request outside the purchase (a discovery manifest): no credentials are ever sent. */
  send(req: PreparedRequest): Promise<{ ok: true; response: Response } | StepFailure>;
  /** Stage 1: the unauthenticated request (asking for a hold invoice when `payOnSuccess`). */
  probe(req: PreparedRequest, hints?: PurchaseHints): Promise<Probe>;
  /** Stage 2: the paywall answer's challenge, its invoice decoded and checked. */
  offer(
    req: PreparedRequest,
    answer: PaywallAnswer,
    hints: PurchaseHints,
    startedAt: number,
    advertised?: AdvertisedPrice,
  ): Promise<{ ok: true; offer: Offer } | StepFailure>;
  /**
   * Stage 2½ (optional): bid with a negotiating seller; the agreed offer (or the original one) goes on to
   * authorize. The agreed token must have the offer's terms (`terms_changed`), and `advertised` bounds it as in `offer`.
   */
  negotiate(
    offer: Offer,
    negotiator: BuyerNegotiator,
    hints: PurchaseHints,
    advertised?: AdvertisedPrice,
  ): Promise<Negotiated>;
  /**
   * The most the policy (the engine's, or `policy`) would let `offer` cost now, whatever its amount
   * (`PaymentPolicy.ceilingMsat`): a negotiation's `maxPriceMsat`. Undefined when the policy names none.
   */
  ceiling(offer: Offer, hints: PurchaseHints, policy?: PaymentPolicy): Msat | undefined;
  /** Stage 3: the policy (the engine's, or `policy`) holds the money, or refuses. */
  authorize(
    offer: Offer,
    hints: PurchaseHints,
    policy?: PaymentPolicy,
  ): Promise<{ ok: true; grant: Grant } | StepFailure>;
  /** Stage 4: pays under the guards; `claim` counts the caller's call on the token before anyone else sees it. */
  pay(grant: Grant, opts?: { claim?: boolean; lease?: Lease }): Promise<PaidOffer | PayFailure>;
  /**
   * Stage 4 for hold invoices, inside `exclusive`: pays and sends the retry at once; money moves only if the
   * seller delivers. `consumeMs` is absent when no call was sent (the payment ended before its send).
   */
  payOnSuccess(
    grant: Grant,
    lease: Lease,
  ): Promise<{ paid: PaidOffer | PayFailure; delivery: Delivery; consumeMs?: number }>;
  /**
   * Stage 5: sends the request with a token (with `claim`, counting a call first without looking whether
   * one is left: a token other purchases may share is claimed with `claim` or `held` first, and sent
   * with `claim: false`); a refused token is dropped. The call claimed for it (here, by `claim`, `held`
   * or `pay`) goes back on a 5xx, a 429 or when no answer came.
   */
  deliver(
    req: PreparedRequest,
    token: StoredToken,
    opts: { claim: boolean; step: 'consume' | 'reuse' },
  ): Promise<Delivery>;
  /** Completes or drops every pending token (payment looked up by hash), settling or releasing its kept hold. */
  recover(): Promise<{ completed: number; dropped: number; inFlight: number }>;
  /** Runs `fn` as the one purchase of the request's resource; throws if one is running (see `running`). */
  exclusive<T>(req: PreparedRequest, fn: (lease: Lease) => Promise<T>): Promise<T>;
  /** The purchase of the request's resource in progress, if any (resolves when it ends). */
  running(req: PreparedRequest): Promise<void> | undefined;
}
