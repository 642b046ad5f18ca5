import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import { assertMsat, type Msat } from '../../money.js';
import { defaultMaxFeeMsat, type Payment, type PaymentFailureReason, type PayOptions } from '../node.js';
import { toPayment } from './convert.js';
import { LndError } from './errors.js';
import { mapSendRefusal } from './failures.js';
import type { LndRestClient } from './rest-client.js';
import { hexToB64Url, lndPayReqSchema, lndPaymentSchema, parseWire, type LndPayReq } from './wire.js';

/** What the payment procedure needs from its node. */
export interface PayContext {
  client: LndRestClient;
  clock: Clock;
  log: Logger;
  /** How long to keep resolving a payment whose node went away before giving up (ms). */
  reconnectTimeoutMs: number;
}

/** LND's own default when `timeout_seconds` is 0; we always send one explicitly. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Pays `bolt11` through LND's router and returns the final state.
 *
 * Never pays twice: LND's control tower refuses a second payment for a hash
 * that is in flight or paid, and whenever we lose sight of a payment (the
 * connection drops, LND restarts) we resolve it by its hash with
 * TrackPaymentV2 instead of sending again. Only a hash LND has never seen is
 * (re)sent.
 */
export async function payInvoice(ctx: PayContext, bolt11: string, opts: PayOptions = {}): Promise<Payment> {
  const started = ctx.clock.now();
  const decoded = await decode(ctx, bolt11);
  if ('failed' in decoded)
    return failedPayment('', 0, decoded.failed, decoded.message, started, ctx.clock.now());
  const payreq = decoded.payreq;
  const hash = payreq.payment_hash;

  const amount = resolveAmount(payreq, opts);
  if (typeof amount === 'string')
    return failedPayment(hash, 0, 'invalid_invoice', amount, started, ctx.clock.now());
  const maxFeeMsat = assertMsat(opts.maxFeeMsat ?? defaultMaxFeeMsat(amount), 'maxFeeMsat');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const body = {
    payment_request: bolt11,
    fee_limit_msat: String(maxFeeMsat),
    timeout_seconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    no_inflight_updates: false,
    allow_self_payment: false,
    ...(payreq.num_msat === 0 ? { amt_msat: String(amount) } : {}),
  };

  const deadline = started + timeoutMs + ctx.reconnectTimeoutMs;
  for (;;) {
    if (ctx.clock.now() > deadline) {
      throw new LndError(
        'unreachable',
        `payment ${hash}: ${ctx.client.restUrl} kept failing before it could start`,
      );
    }
    let payment: Payment | undefined;
    try {
      payment = await followStream(ctx, ctx.client.stream('POST', '/v2/router/send', body));
    } catch (err) {
      if (!(err instanceof LndError)) throw err;
      const refusal = err.lndMessage ? mapSendRefusal(err.lndMessage) : undefined;
      if (refusal?.kind === 'failed') {
        return failedPayment(
          hash,
          amount,
          refusal.reason,
          `LND: ${err.lndMessage}`,
          started,
          ctx.clock.now(),
        );
      }
      // Anything else (a dropped connection, LND stopping mid-stream, a message we do not know):
      // we cannot tell what LND did, so ask it by hash before doing anything else.
      ctx.log.info({ hash, cause: err.message }, 'lost sight of payment; resolving it by hash');
      payment = await track(ctx, hash, deadline);
      if (payment === undefined) {
        // LND has no payment for this hash. If the node was away, send now; if it refused, that stands.
        if (refusal === undefined && err.code !== 'unreachable' && err.code !== 'not_ready') throw err;
        ctx.log.info({ hash }, 'LND never started this payment; sending it');
        continue;
      }
    }
    if (payment === undefined) continue;
    if (payment.status === 'failed' && payment.failure?.reason === 'no_route') {
      return refineFeeLimit(ctx, payment, payreq, amount, maxFeeMsat);
    }
    return payment;
  }
}

/**
 * Follows a payment by hash until it is final, reconnecting until `deadline`.
 * `undefined` when LND has no payment for this hash.
 */
export async function track(ctx: PayContext, hash: string, deadline: number): Promise<Payment | undefined> {
  const path = `/v2/router/track/${hexToB64Url(hash)}?no_inflight_updates=true`;
  for (;;) {
    try {
      return await followStream(ctx, ctx.client.stream('GET', path, undefined, { retry: 'always' }));
    } catch (err) {
      if (err instanceof LndError && err.code === 'not_found') return undefined;
      if (!transientWhileTracking(err)) throw err;
      ctx.log.info({ hash, cause: err.message }, 'tracking the payment failed; asking again');
      if (ctx.clock.now() >= deadline) {
        throw new LndError(
          'unreachable',
          `payment ${hash} is unresolved: ${ctx.client.restUrl} did not come back in time (${err.message}). ` +
            `It may still complete; call lookupPayment('${hash}') once the node is up.`,
          { cause: err },
        );
      }
      await ctx.clock.sleep(500);
    }
  }
}

/**
 * Whether tracking may be asked again: LND away or starting, or a server error (5xx) from a
 * node that is restarting (its REST proxy answers before the router does). Tracking only
 * reads, and the payment's outcome must not be given up on before the deadline.
 */
function transientWhileTracking(err: unknown): err is LndError {
  if (!(err instanceof LndError)) return false;
  return err.code === 'unreachable' || err.code === 'not_ready' || (err.status ?? 0) >= 500;
}

/** Reads a payment stream until the payment is final. Throws if the stream ends before that. */
async function followStream(ctx: PayContext, stream: AsyncGenerator<unknown>): Promise<Payment> {
  for await (const raw of stream) {
    const p = parseWire(lndPaymentSchema, raw, 'payment update');
    if (p.status === 'SUCCEEDED' || p.status === 'FAILED') {
      await stream.return(undefined);
      return toPayment(p, ctx.clock.now());
    }
  }
  throw new LndError(
    'unreachable',
    `${ctx.client.restUrl}: payment stream ended before the payment was final`,
  );
}

type Decoded = { payreq: LndPayReq } | { failed: PaymentFailureReason; message: string };

async function decode(ctx: PayContext, bolt11: string): Promise<Decoded> {
  if (typeof bolt11 !== 'string' || !/^ln[a-z0-9]+$/i.test(bolt11.trim())) {
    return { failed: 'invalid_invoice', message: 'not a BOLT11 invoice string' };
  }
  try {
    const raw = await ctx.client.call('GET', `/v1/payreq/${encodeURIComponent(bolt11.trim())}`);
    return { payreq: parseWire(lndPayReqSchema, raw, 'decode invoice') };
  } catch (err) {
    // Only LND's verdict on the invoice itself is an outcome; anything else is a fault.
    if (!(err instanceof LndError) || (err.code !== 'bad_request' && err.code !== 'lnd_error')) throw err;
    const refusal = err.lndMessage ? mapSendRefusal(err.lndMessage) : undefined;
    const reason = refusal?.kind === 'failed' ? refusal.reason : 'invalid_invoice';
    return { failed: reason, message: `LND could not decode the invoice: ${err.lndMessage ?? err.message}` };
  }
}

/** The amount to send, or a message saying why the caller's amount does not fit the invoice. */
function resolveAmount(payreq: LndPayReq, opts: PayOptions): Msat | string {
  if (payreq.num_msat === 0) {
    if (opts.amountMsat === undefined || opts.amountMsat === 0) return 'zero-amount invoice: pass amountMsat';
    return assertMsat(opts.amountMsat, 'amountMsat');
  }
  if (opts.amountMsat !== undefined && opts.amountMsat !== payreq.num_msat) {
    return `invoice asks ${payreq.num_msat} msat but amountMsat is ${opts.amountMsat}`;
  }
  return payreq.num_msat;
}

/**
 * LND reports "every route costs more than the fee limit" as NO_ROUTE. Ask
 * for a route without the limit: if one exists, the limit was the reason.
 */
async function refineFeeLimit(
  ctx: PayContext,
  payment: Payment,
  payreq: LndPayReq,
  amount: Msat,
  maxFeeMsat: Msat,
): Promise<Payment> {
  try {
    const raw = (await ctx.client.call('POST', `/v1/graph/routes/${payreq.destination}/0`, {
      amt_msat: String(amount),
      fee_limit: { fixed_msat: String(Number.MAX_SAFE_INTEGER) },
      route_hints: payreq.route_hints ?? [],
      use_mission_control: false,
    })) as { routes?: Array<{ total_fees_msat?: string }> };
    const cheapest = Math.min(...(raw.routes ?? []).map((r) => Number(r.total_fees_msat ?? Infinity)));
    if (Number.isFinite(cheapest) && cheapest > maxFeeMsat) {
      return {
        ...payment,
        failure: {
          reason: 'fee_limit_exceeded',
          message: `the cheapest route costs ${cheapest} msat in fees, above maxFeeMsat ${maxFeeMsat}`,
        },
      };
    }
  } catch (err) {
    // No route even without a limit: NO_ROUTE was right.
    ctx.log.debug({ err: String(err) }, 'route query after NO_ROUTE found nothing');
  }
  return payment;
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
