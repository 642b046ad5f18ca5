import { defaultMaxFeeMsat, type LightningNode, type NodeInfo } from '../../infra/lightning/node.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import { allowAll, type PaymentPolicy, type Reservation } from '../policies/index.js';
import type { PurchaseEvent, PurchaseHints, PurchaseResult } from './outcome.js';
import { createHash } from 'node:crypto';
import { osSecrets } from '../../infra/random.js';
import {
  PAYER_KEY,
  PAYER_LOCK,
  PAY_ON_SUCCESS,
  readPaywallAnswer,
  type PaywallAnswer,
} from './paywall-response.js';
import { prepareRequest, type PreparedRequest } from './request.js';
import { SingleFlight } from './single-flight.js';
import type { ClientContext } from './context.js';
import { authorizeOffer, makeOffer, send, type Offer } from './offer.js';
import { payOffer, payOnDelivery, type PaidOffer } from './payment.js';
import { sendWithToken } from './delivery.js';
import { denial, holdResult, noTokenLeft, responseOf, Run } from './purchase-run.js';
import { MemoryTokenStore, tokenUsable, type StoredToken, type TokenStore } from './token-store.js';

/** What an L402 client needs. */
export interface L402ClientOptions {
  node: LightningNode;
  fetch: typeof fetch;
  /** Default: allow everything. */
  policy?: PaymentPolicy;
  /** Default: a fresh in-memory store. */
  tokens?: TokenStore;
  clock: Clock;
  logger?: Logger;
  /** Routing-fee ceiling for an amount (default: 1%, at least 1 sat). */
  maxFeeMsat?: (amountMsat: Msat) => Msat;
  onEvent?: (e: PurchaseEvent) => void;
  /** Passed to `node.pay` as its timeout. */
  payTimeoutMs?: number;
  /** Accept unsigned simnet invoices (`signInvoices: false`); never on a real network. */
  acceptUnsignedInvoices?: boolean;
  /** Name of the buyer, carried in events and policy contexts. */
  buyer?: string;
}

/** `RequestInit` plus what the buyer knows about the seller. */
export type L402RequestInit = RequestInit & { l402?: PurchaseHints };

/** An L402-paying HTTP client. */
export interface L402Client {
  /** fetch(), paying 402s. A failed purchase answers with the server's status (402 when it asked to be paid) and headers `x-l402-outcome`, `x-l402-reason`. */
  fetch(input: string | URL | Request, init?: L402RequestInit): Promise<Response>;
  /** The same work, returning the detailed record. */
  purchase(input: string | URL | Request, init?: RequestInit, hints?: PurchaseHints): Promise<PurchaseResult>;
  /** Buys (or finds) a token for a resource without calling it: no call of the token is used. */
  acquire(
    input: string | URL | Request,
    init?: RequestInit,
    hints?: PurchaseHints,
  ): Promise<PurchaseResult & { token?: StoredToken }>;
  /** Completes or drops every pending token left by a crash (payment looked up by hash). */
  recover(): Promise<{ completed: number; dropped: number; inFlight: number }>;
  /** The mechanics, for graphs that run the steps as separate nodes. */
  readonly steps: ClientContext;
  readonly tokens: TokenStore;
  readonly policy: PaymentPolicy;
}

const MAX_ROUNDS = 4;

/**
 * Creates an L402 client: request; on 402 pick the L402 challenge, decode and
 * check the invoice, ask the policy, pay with a fee ceiling, retry with
 * `Authorization: L402 <mac>:<preimage>`. Tokens are reused until they expire
 * or run out; a rejected token is dropped and the fresh challenge paid once.
 * Concurrent purchases of one resource share one payment.
 *
 * @example
 * const client = createL402Client({ node, fetch: app.fetch, clock });
 * const res = await client.fetch('http://seller.test/v1/quote', { l402: { maxPriceMsat: 20_000 } });
 */
export function createL402Client(options: L402ClientOptions): L402Client {
  const { node, clock, logger = silentLogger, onEvent } = options;
  const policy = options.policy ?? allowAll();
  const tokens = options.tokens ?? new MemoryTokenStore();
  let info: Promise<NodeInfo> | undefined;
  const ctx: ClientContext = {
    node,
    fetch: options.fetch,
    policy,
    tokens,
    clock,
    logger,
    maxFeeMsat: options.maxFeeMsat ?? defaultMaxFeeMsat,
    emit: (e) => onEvent?.(e),
    nodeInfo: () => {
      info ??= node.info().catch((err: unknown) => {
        info = undefined;
        throw err;
      });
      return info;
    },
    allowUnsigned: options.acceptUnsignedInvoices ?? false,
    payTimeoutMs: options.payTimeoutMs,
    buyer: options.buyer,
  };
  const flights = new SingleFlight();
  /** Payments this client has in flight, by payment hash (resolve when settled either way). */
  const paying = new Map<string, Promise<void>>();

  /** Resolves a pending token: completed (true), dropped (false), or still in flight (undefined). */
  async function recoverToken(t: StoredToken): Promise<boolean | undefined> {
    const p = await node.lookupPayment(t.paymentHash);
    if (p?.status === 'succeeded' && p.preimage) {
      await tokens.put({ ...t, state: 'paid', preimage: p.preimage.toLowerCase() });
      return true;
    }
    if (p?.status === 'in_flight') return undefined;
    await tokens.evict(t.origin, t.pathPrefix, t.paymentHash);
    return false;
  }

  async function purchase(
    input: string | URL | Request,
    init: RequestInit = {},
    hints: PurchaseHints = {},
  ): Promise<PurchaseResult> {
    const started = await begin(input, init);
    if ('failed' in started) return started.failed;
    const { run, req } = started;
    const key = `${req.origin}${req.path}`;
    let fresh: PaywallAnswer | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let held = tokens.get(req.origin, req.path);
      if (held?.state === 'pending') {
        // Ours and still paying (maybe for a sibling path): wait for it rather than ask the node.
        const ours = paying.get(held.paymentHash) ?? flights.waitFor(key);
        if (ours) {
          await ours;
          continue;
        }
        const recovered = await recoverToken(held).catch(() => undefined);
        if (recovered === undefined) {
          return run.fail(
            {
              ok: false,
              outcome: 'payment_timeout',
              reason: `an earlier payment ${held.paymentHash} is still in flight`,
            },
            clock,
          );
        }
        held = tokens.get(req.origin, req.path);
      }
      if (held && !fresh && tokenUsable(held, clock.now())) {
        tokens.recordUse(held);
        run.attempts++;
        const at = clock.now();
        const d = await sendWithToken(ctx, req, held, 'reuse');
        run.timings.consumeMs = clock.now() - at;
        if (d.kind === 'delivered') return run.reused(held, d.response, clock);
        if (d.kind === 'failed') return run.fail({ ok: false, ...d }, clock, held);
        await tokens.evict(held.origin, held.pathPrefix, held.paymentHash);
        if (hints.reuseOnly)
          return run.fail(
            {
              ok: false,
              outcome: d.outcome,
              reason: d.answer.note.reason ?? `HTTP ${d.answer.status}`,
              status: d.answer.status,
            },
            clock,
            held,
          );
        // Aperture answers a spent token with a fresh 402: pay that one; a 401 needs a new probe.
        // Not when we asked for pay-on-success and this 402 (to a plain retry) offers an ordinary invoice.
        if (d.answer.status === 402 && (!hints.payOnSuccess || d.answer.payOnSuccess)) fresh = d.answer;
        ctx.emit({
          atMs: clock.now(),
          durationMs: 0,
          url: req.url.href,
          buyer: ctx.buyer,
          step: 'retry',
          status: d.answer.status,
          ...(d.answer.note.reason ? { reason: d.answer.note.reason } : {}),
        });
        logger.debug(
          { url: req.url.href, status: d.answer.status, reason: d.answer.note.reason },
          'l402: token rejected, evicted',
        );
        continue;
      }
      const flight = flights.waitFor(key);
      if (flight) {
        // Someone is buying this resource now: wait, then use what they bought.
        fresh = undefined;
        await flight;
        continue;
      }
      if (hints.reuseOnly) return run.fail(noTokenLeft(held, clock.now()), clock, held);
      const answer = fresh;
      fresh = undefined;
      return flights.run(key, () => buy(req, hints, run, answer));
    }
    return run.fail(
      { ok: false, outcome: 'token_rejected', reason: `gave up after ${MAX_ROUNDS} rounds` },
      clock,
    );
  }

  /** One paid purchase: probe (unless a fresh 402 is at hand), check, authorize, pay, consume. */
  async function buy(
    req: PreparedRequest,
    hints: PurchaseHints,
    run: Run,
    answer?: PaywallAnswer,
    andConsume = true,
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    // Ask for a hold invoice: the seller keeps our HTLC until it has delivered, or refunds it.
    if (hints.payOnSuccess) {
      req.headers.set(PAY_ON_SUCCESS, '1');
      lockPayer(req);
    }
    if (!answer) {
      const at = clock.now();
      run.attempts++;
      const sent = await send(ctx, req);
      if (!sent.ok) return run.fail(sent, clock);
      const res = sent.response;
      ctx.emit({
        atMs: at,
        durationMs: clock.now() - at,
        url: req.url.href,
        buyer: ctx.buyer,
        step: 'challenge',
        status: res.status,
      });
      if (res.status !== 402) {
        run.timings.consumeMs = clock.now() - at;
        if (res.status < 400)
          return run.done({ outcome: 'success', response: res, status: res.status }, clock);
        const outcome = res.status === 429 ? 'rate_limited' : 'seller_error';
        return run.fail(
          {
            ok: false,
            outcome,
            reason: `HTTP ${res.status} without a payment challenge`,
            status: res.status,
            response: res,
          },
          clock,
        );
      }
      answer = await readPaywallAnswer(res);
    }
    const made = await makeOffer(ctx, req, answer, hints, run.startedAt);
    if (!made.ok) return run.fail(made, clock);
    const offer = made.offer;
    run.sawOffer(offer);
    const decision = await authorizeOffer(ctx, offer, hints);
    if (decision.kind !== 'allow') return run.fail(denial(decision), clock);
    if (answer.payOnSuccess && andConsume) return payOnSuccess(req, offer, decision.reservation, run);
    let settled!: () => void;
    paying.set(offer.paymentHash, new Promise<void>((r) => (settled = r)));
    const paid = await payOffer(ctx, offer, decision.reservation)
      // Claim our call before waking the waiters: a 1-call token is ours, not theirs to reuse.
      .then((p) => (p.ok && andConsume && tokens.recordUse(p.token), p))
      .finally(() => {
        paying.delete(offer.paymentHash);
        settled();
      });
    run.timings.payMs = paid.payMs;
    if (!paid.ok) return run.fail(paid, clock);
    run.paid(paid);
    if (!andConsume) return { ...run.done({ outcome: 'success' }, clock), token: paid.token };
    return consume(req, paid, run);
  }

  /** Pay-on-success: pay and retry at once; money moves only if the seller delivered. */
  async function payOnSuccess(
    req: PreparedRequest,
    offer: Offer,
    reservation: Reservation,
    run: Run,
  ): Promise<PurchaseResult> {
    let settled!: () => void;
    paying.set(offer.paymentHash, new Promise<void>((r) => (settled = r)));
    run.attempts++;
    // The retry shows the secret behind the lock this purchase's requests carried.
    req.headers.set(PAYER_KEY, lockPayer(req));
    const { paid, delivery, consumeMs } = await payOnDelivery(ctx, offer, reservation)
      // The delivery used one call: count it before waiters look at the token.
      .then((r) => (r.paid.ok && tokens.recordUse(r.paid.token), r))
      .finally(() => {
        paying.delete(offer.paymentHash);
        settled();
      });
    return holdResult(run, paid, delivery, consumeMs, clock);
  }

  /** Starts a purchase record and buffers the request once (bodies survive retries); a request that cannot be built ends as `bad_request`. */
  async function begin(
    input: string | URL | Request,
    init: RequestInit,
  ): Promise<{ run: Run; req: PreparedRequest } | { failed: PurchaseResult }> {
    const run = new Run(clock.now());
    try {
      return { run, req: await prepareRequest(input, init) };
    } catch (err) {
      return {
        failed: run.fail({ ok: false, outcome: 'bad_request', reason: (err as Error).message }, clock),
      };
    }
  }

  async function acquire(
    input: string | URL | Request,
    init: RequestInit = {},
    hints: PurchaseHints = {},
  ): Promise<PurchaseResult & { token?: StoredToken }> {
    const started = await begin(input, init);
    if ('failed' in started) return started.failed;
    const { run, req } = started;
    const key = `${req.origin}${req.path}`;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const held = tokens.get(req.origin, req.path);
      if (held && tokenUsable(held, clock.now())) {
        return {
          ...run.done({ outcome: 'success' }, clock),
          tokenReused: true,
          paymentHash: held.paymentHash,
          macaroon: held.macaroon,
          preimage: held.preimage,
          token: held,
        };
      }
      const flight =
        flights.waitFor(key) ?? (held?.state === 'pending' ? paying.get(held.paymentHash) : undefined);
      if (flight) {
        await flight;
        continue;
      }
      if (held?.state === 'pending') {
        // Left by a crash: complete it from the node's record rather than pay again.
        const recovered = await recoverToken(held).catch(() => undefined);
        if (recovered === undefined) break;
        continue;
      }
      return flights.run(key, () => buy(req, hints, run, undefined, false));
    }
    return run.fail(
      { ok: false, outcome: 'payment_timeout', reason: 'another purchase of this resource is still running' },
      clock,
    );
  }

  /** Sends the paid request; `buy` has already counted this call on the token. */
  async function consume(req: PreparedRequest, paid: PaidOffer, run: Run): Promise<PurchaseResult> {
    const at = clock.now();
    run.attempts++;
    const d = await sendWithToken(ctx, req, paid.token, 'consume');
    run.timings.consumeMs = clock.now() - at;
    if (d.kind === 'delivered')
      return run.done({ outcome: 'success', response: d.response, status: d.response.status }, clock);
    if (d.kind === 'rejected') {
      await tokens.evict(paid.token.origin, paid.token.pathPrefix, paid.token.paymentHash);
      return run.fail(
        {
          ok: false,
          outcome: d.outcome,
          reason: d.answer.note.reason ?? `HTTP ${d.answer.status}`,
          status: d.answer.status,
        },
        clock,
      );
    }
    return run.fail({ ok: false, ...d }, clock);
  }

  async function fetchL402(input: string | URL | Request, init: L402RequestInit = {}): Promise<Response> {
    const { l402, ...rest } = init;
    return responseOf(await purchase(input, rest, l402));
  }

  async function recover() {
    const counts = { completed: 0, dropped: 0, inFlight: 0 };
    for (const t of tokens.list().filter((t) => t.state === 'pending')) {
      const r = await recoverToken(t);
      if (r === true) counts.completed++;
      else if (r === false) counts.dropped++;
      else counts.inFlight++;
    }
    return counts;
  }

  return { fetch: fetchL402, purchase, acquire, recover, steps: ctx, tokens, policy };
}

/** Each purchase's pay-on-success secret, by its prepared request. */
const payerKeys = new WeakMap<PreparedRequest, string>();

/**
 * The secret of this purchase (made once, from the OS CSPRNG): sets its
 * sha256 as `L402-Payer-Lock` on the request and returns it for the retry.
 */
function lockPayer(req: PreparedRequest): string {
  let key = payerKeys.get(req);
  if (key === undefined) {
    const secret = osSecrets.bytes(32);
    key = Buffer.from(secret).toString('hex');
    payerKeys.set(req, key);
    req.headers.set(PAYER_LOCK, createHash('sha256').update(secret).digest('hex'));
  }
  return key;
}
