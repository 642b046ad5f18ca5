import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import type { Msat } from '../../money.js';
import {
  DEFAULT_PAY_TIMEOUT_MS,
  defaultMaxFeeMsat,
  type Payment,
  type PaymentFailureReason,
  type PayOptions,
} from '../node.js';
import { checkPayOptionsShape } from '../pay-options.js';
import { decode, resolveAmount } from './decode.js';
import { LndError, type LndErrorCode } from './errors.js';
import { mapSendRefusal } from './failures.js';
import { refineFeeLimit } from './fee-limit.js';
import { wholeNumber } from './limits.js';
import type { LndRestClient } from './rest-client.js';
import { closedWhile, followStream, signalOf, track } from './track.js';
import type { LndPayReq } from './wire.js';

/** What the payment procedure needs from its node. */
export interface PayContext {
  client: LndRestClient;
  clock: Clock;
  log: Logger;
  /** How long to keep resolving a payment whose node went away before giving up (ms). */
  reconnectTimeoutMs: number;
  /** Aborts when the node is closed: requests end, a payment sent is answered in flight. */
  signal?: AbortSignal;
}

/** What a payment `close()` ended before any send says. */
const NOT_SENT = 'nothing was sent: pay on a new LndNode';

/** Faults after which LND may simply not have started the payment: when it has no record of it, send again. */
const RESENDABLE: ReadonlySet<LndErrorCode> = new Set(['unreachable', 'not_ready', 'timeout']);

/** One `pay()` call: its payment, its deadline, how many sends may have reached LND, how many updates came. */
interface Attempt {
  ctx: PayContext;
  hash: string;
  amount: Msat;
  started: number;
  deadline: number;
  sends: number;
  updates: number;
}

/**
 * Pays `bolt11` through LND's router and returns the final state, or the
 * payment `in_flight` when it is not final by `timeoutMs + reconnectTimeoutMs`
 * (an HTLC held by the payee, a node that stopped answering): it may still
 * complete, so the caller follows it by hash and never pays a new invoice for it.
 *
 * Never pays twice: LND's control tower refuses a second payment for a hash
 * that is in flight or paid, and whenever we lose sight of a payment (the
 * connection drops, LND restarts) we resolve it by its hash with
 * TrackPaymentV2 instead of sending again. Only a hash LND has never seen is
 * (re)sent, and a refusal of a repeated send is final only once LND has no
 * record of the earlier one; an error after LND sent an update of the payment
 * is never its outcome. Closing the node ends a payment sent as `in_flight`.
 */
export async function payInvoice(ctx: PayContext, bolt11: string, options?: PayOptions): Promise<Payment> {
  const opts = checkPayOptionsShape(options);
  // LND's own default when `timeout_seconds` is 0 (the simnet's too); we always send one explicitly.
  const timeoutMs = wholeNumber(opts.timeoutMs ?? DEFAULT_PAY_TIMEOUT_MS, 'timeoutMs', 'bad_request');
  if (ctx.signal?.aborted) throw closedWhile(ctx, 'starting a payment', NOT_SENT);
  // Trimmed once: LND is sent the very text it decoded.
  const invoice = typeof bolt11 === 'string' ? bolt11.trim() : bolt11;
  const started = ctx.clock.now();
  const decoded = await decode(ctx.client, invoice);
  if ('failed' in decoded)
    return failedPayment('', 0, decoded.failed, decoded.message, started, ctx.clock.now());
  const payreq = decoded.payreq;
  const hash = payreq.payment_hash;

  const amount = resolveAmount(payreq, opts);
  if (typeof amount === 'string')
    return failedPayment(hash, 0, 'invalid_invoice', amount, started, ctx.clock.now());
  const maxFeeMsat = opts.maxFeeMsat ?? defaultMaxFeeMsat(amount);
  const deadline = started + timeoutMs + ctx.reconnectTimeoutMs;
  const attempt: Attempt = { ctx, hash, amount, started, deadline, sends: 0, updates: 0 };
  const payment = await sendUntilKnown(attempt, sendBody(invoice, payreq, amount, maxFeeMsat, timeoutMs));
  if (payment.status === 'failed' && payment.failure?.reason === 'no_route') {
    return refineFeeLimit(ctx, payment, payreq, amount, maxFeeMsat);
  }
  return payment;
}

function sendBody(bolt11: string, payreq: LndPayReq, amount: Msat, maxFeeMsat: Msat, timeoutMs: number) {
  return {
    payment_request: bolt11,
    fee_limit_msat: String(maxFeeMsat),
    timeout_seconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    no_inflight_updates: false,
    allow_self_payment: false,
    ...(payreq.num_msat === 0 ? { amt_msat: String(amount) } : {}),
  };
}

/** Sends the payment and follows it until LND says how it ended, sending again only when LND never started it. */
async function sendUntilKnown(a: Attempt, body: Record<string, unknown>): Promise<Payment> {
  const { ctx } = a;
  for (;;) {
    if (ctx.signal?.aborted) return closedDuring(a);
    if (ctx.clock.now() > a.deadline) {
      throw new LndError(
        'unreachable',
        `payment ${a.hash}: ${ctx.client.restUrl} kept failing before it could start`,
      );
    }
    try {
      const stream = ctx.client.stream('POST', '/v2/router/send', body, {
        // LND answers a send with the payment's first update at once; after that, silence is an HTLC in flight.
        firstMessageMs: ctx.client.limits.callTimeoutMs,
        deadline: a.deadline,
        retry: 'guarded',
        onAttempt: () => a.sends++,
        ...signalOf(ctx),
      });
      return await followStream(ctx, stream, () => a.updates++);
    } catch (err) {
      if (ctx.signal?.aborted) return closedDuring(a);
      if (!(err instanceof LndError)) throw err;
      const known = await afterSendFault(a, err);
      if (known) return known;
      ctx.log.info({ hash: a.hash }, 'LND never started this payment; sending it');
    }
  }
}

/**
 * What a failed send means: the payment's state, or `undefined` when LND has
 * no record of it and sending again is safe. Throws a fault that says neither.
 */
async function afterSendFault(a: Attempt, err: LndError): Promise<Payment | undefined> {
  const { ctx } = a;
  if (err.code === 'timeout' && ctx.clock.now() >= a.deadline) return inFlight(a);
  if (a.updates > 0) {
    // LND had started the payment: an error now (a stream line, a drop) is about the stream, not the payment.
    ctx.log.info(
      { hash: a.hash, cause: err.message },
      'payment stream failed after updates; resolving by hash',
    );
    return (await resolveByHash(a)) ?? inFlight(a);
  }
  const refusal = err.lndMessage ? mapSendRefusal(err.lndMessage) : undefined;
  if (refusal?.kind === 'failed') {
    const refused = failedPayment(
      a.hash,
      a.amount,
      refusal.reason,
      `LND: ${err.lndMessage}`,
      a.started,
      ctx.clock.now(),
    );
    // A repeated send's refusal (the invoice expired meanwhile) says nothing about an earlier send LND may be paying.
    if (a.sends <= 1) return refused;
    ctx.log.info(
      { hash: a.hash, cause: err.message },
      'a repeated send was refused; resolving by hash first',
    );
    return (await resolveByHash(a)) ?? refused;
  }
  // A dropped connection, LND stopping mid-stream, a message we do not know: we cannot tell what
  // LND did, so ask it by hash before doing anything else.
  ctx.log.info({ hash: a.hash, cause: err.message }, 'lost sight of payment; resolving it by hash');
  const payment = await resolveByHash(a);
  if (payment === undefined && refusal === undefined && !RESENDABLE.has(err.code)) throw err;
  return payment;
}

/** The payment as LND has it (`undefined`: no record), in flight when it is not final by the deadline. */
async function resolveByHash(a: Attempt): Promise<Payment | undefined> {
  try {
    return await track(a.ctx, a.hash, a.deadline);
  } catch (err) {
    if (a.ctx.signal?.aborted) return closedDuring(a);
    if (err instanceof LndError && err.code === 'timeout') return inFlight(a);
    throw err;
  }
}

/** The node was closed: a payment that may have reached LND is in flight (its fate unknown); else nothing was sent. */
function closedDuring(a: Attempt): Payment {
  if (a.sends === 0) throw closedWhile(a.ctx, `paying ${a.hash}`, NOT_SENT);
  return inFlight(a);
}

function inFlight(a: Attempt): Payment {
  a.ctx.log.info({ hash: a.hash }, 'payment not final by its deadline; reporting it in flight');
  const { hash: paymentHash, amount: amountMsat, started: createdAt } = a;
  return { paymentHash, status: 'in_flight', amountMsat, feeMsat: 0, hops: 0, attempts: 0, createdAt };
}

function failedPayment(
  hash: string,
  amountMsat: Msat,
  reason: PaymentFailureReason,
  message: string,
  createdAt: number,
  resolvedAt: number,
): Payment {
  return {
    paymentHash: hash,
    status: 'failed',
    amountMsat,
    feeMsat: 0,
    hops: 0,
    attempts: 0,
    failure: { reason, message },
    createdAt,
    resolvedAt,
  };
}
