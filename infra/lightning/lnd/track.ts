import type { Payment } from '../node.js';
import { toPayment } from './convert.js';
import { LndError } from './errors.js';
import type { PayContext } from './pay.js';
import { hexToB64Url, lndPaymentSchema, parseWire } from './wire.js';

/** How long to wait before asking a node that did not answer about a payment again (ms). */
const TRACK_RETRY_MS = 500;

/**
 * Follows a payment by hash until it is final, reconnecting until `deadline`.
 * `undefined` when LND has no payment for this hash. Past the deadline it
 * throws: `LndError('timeout')` when LND was answering but the payment was not
 * final yet, `LndError('unreachable')` when the node was away.
 */
export async function track(ctx: PayContext, hash: string, deadline: number): Promise<Payment | undefined> {
  const path = `/v2/router/track/${hexToB64Url(hash)}?no_inflight_updates=true`;
  let away: LndError | undefined;
  for (;;) {
    if (away && ctx.clock.now() >= deadline) throw unresolved(ctx, hash, away);
    try {
      return await followStream(
        ctx,
        ctx.client.stream('GET', path, undefined, { retry: 'always', deadline }),
      );
    } catch (err) {
      if (err instanceof LndError && err.code === 'not_found') return undefined;
      if (err instanceof LndError && err.code === 'timeout') throw notFinal(hash, err);
      if (!transientWhileTracking(err)) throw err;
      ctx.log.info({ hash, cause: err.message }, 'tracking the payment failed; asking again');
      away = err;
      await ctx.clock.sleep(TRACK_RETRY_MS);
    }
  }
}

function unresolved(ctx: PayContext, hash: string, err: LndError): LndError {
  return new LndError(
    'unreachable',
    `payment ${hash} is unresolved: ${ctx.client.restUrl} did not come back in time (${err.message}). ` +
      `It may still complete; call lookupPayment('${hash}') once the node is up.`,
    { cause: err },
  );
}

function notFinal(hash: string, err: LndError): LndError {
  return new LndError(
    'timeout',
    `payment ${hash} was not final by the deadline (${err.message}). ` +
      `It may still complete; call lookupPayment('${hash}') later.`,
    { cause: err },
  );
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

/**
 * The payment's current state (`undefined`: LND has no payment for this hash):
 * TrackPaymentV2 sends it at once, so the first message is read within
 * `limits.callTimeoutMs` and the stream hung up.
 */
export async function lookupPayment(ctx: PayContext, hash: string): Promise<Payment | undefined> {
  const path = `/v2/router/track/${hexToB64Url(hash)}?no_inflight_updates=false`;
  const opts = { retry: 'always', firstMessageMs: ctx.client.limits.callTimeoutMs } as const;
  try {
    for await (const raw of ctx.client.stream('GET', path, undefined, opts)) {
      return toPayment(parseWire(lndPaymentSchema, raw, 'lookup payment'), ctx.clock.now());
    }
    return undefined;
  } catch (err) {
    if (err instanceof LndError && err.code === 'not_found') return undefined;
    throw err;
  }
}

/** Reads a payment stream until the payment is final. Throws if the stream ends before that. */
export async function followStream(ctx: PayContext, stream: AsyncGenerator<unknown>): Promise<Payment> {
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
