import type { Payment } from '../node.js';
import { toPayment } from './convert.js';
import { LndError } from './errors.js';
import type { PayContext } from './pay.js';
import { sleepUnlessAborted } from './retry.js';
import { hexToB64Url, lndPaymentSchema, parseWire } from './wire.js';

/** How long to wait before asking a node that did not answer about a payment again (ms). */
const TRACK_RETRY_MS = 500;

/**
 * Follows a payment by hash until it is final, reconnecting until `deadline`.
 * `undefined` only when LND says it has no payment for this hash (its NotFound).
 * Past the deadline it throws: `LndError('timeout')` when LND was answering but
 * the payment was not final yet, `LndError('unreachable')` when the node was
 * away or its answers said nothing (a stream ending early, a proxy's 5xx page);
 * once the node is closed, `LndError('unreachable')` at once.
 */
export async function track(ctx: PayContext, hash: string, deadline: number): Promise<Payment | undefined> {
  const path = `/v2/router/track/${hexToB64Url(hash)}?no_inflight_updates=true`;
  let away: LndError | undefined;
  for (;;) {
    if (ctx.signal?.aborted) throw closedWhile(ctx, `following payment ${hash}`);
    if (away && ctx.clock.now() >= deadline) throw unresolved(ctx, hash, away);
    try {
      const opts = { retry: 'always', deadline, ...signalOf(ctx) } as const;
      return await followStream(ctx, ctx.client.stream('GET', path, undefined, opts));
    } catch (err) {
      if (ctx.signal?.aborted) throw closedWhile(ctx, `following payment ${hash}`);
      if (err instanceof LndError && err.code === 'not_found') return undefined;
      if (err instanceof LndError && err.code === 'timeout') throw notFinal(hash, err);
      if (!transientWhileTracking(err)) throw err;
      ctx.log.info({ hash, cause: err.message }, 'tracking the payment failed; asking again');
      away = err;
      await sleepUnlessAborted(ctx.clock, TRACK_RETRY_MS, ctx.signal);
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
 * The payment's current state (`undefined`: LND says it has no payment for this
 * hash): TrackPaymentV2 sends it at once, so the first message is read within
 * `limits.callTimeoutMs` and the stream hung up. An answer that says nothing
 * (a stream ending before its first message) is no "no record": it throws.
 */
export async function lookupPayment(ctx: PayContext, hash: string): Promise<Payment | undefined> {
  const path = `/v2/router/track/${hexToB64Url(hash)}?no_inflight_updates=false`;
  const limit = { firstMessageMs: ctx.client.limits.callTimeoutMs };
  const opts = { retry: 'always', ...limit, ...signalOf(ctx) } as const;
  try {
    for await (const raw of ctx.client.stream('GET', path, undefined, opts)) {
      return toPayment(parseWire(lndPaymentSchema, raw, 'lookup payment'), ctx.clock.now());
    }
  } catch (err) {
    if (ctx.signal?.aborted) throw closedWhile(ctx, `looking up payment ${hash}`);
    if (err instanceof LndError && err.code === 'not_found') return undefined;
    throw err;
  }
  throw new LndError(
    'unreachable',
    `${ctx.client.restUrl}: LND's answer about payment ${hash} ended before saying anything, so its ` +
      `state is unknown (not "no record"); call lookupPayment('${hash}') again.`,
  );
}

/**
 * Reads a payment stream until the payment is final, calling `onUpdate` for each
 * message (even one we cannot read: LND is answering about the payment).
 * Throws if the stream ends before that.
 */
export async function followStream(
  ctx: PayContext,
  stream: AsyncGenerator<unknown>,
  onUpdate?: () => void,
): Promise<Payment> {
  for await (const raw of stream) {
    onUpdate?.();
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

/** The node's close signal as a request option, when it has one. */
export function signalOf(ctx: PayContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

/** What a payment request that `close()` ended says about the payment, unless told otherwise. */
const FATE_UNKNOWN =
  "the payment's state is unknown (it may still complete): look it up by hash on a new LndNode";

/** The error for a payment request the node's `close()` ended: what it was doing, and the payment's fate. */
export function closedWhile(ctx: PayContext, what: string, fate = FATE_UNKNOWN): LndError {
  return new LndError(
    'unreachable',
    `${ctx.client.restUrl}: this LndNode was closed while ${what}; ${fate}.`,
  );
}
