import type { Payment } from '../../infra/lightning/node.js';
import type { EngineContext } from './context.js';
import { neverStarted } from './pay-event.js';
import type { Grant, PaidOffer, PayFailure } from './payment.js';
import { provenPaid } from './proof.js';
import { SingleFlight } from './single-flight.js';
import { writeAfterPaying, type StoredToken } from './token-store.js';

/** The sends each node is making, by payment hash. */
const sending = new WeakMap<object, SingleFlight>();

/**
 * What the node said of a payment hash before the send: no record (or a failed
 * payment, which may be paid again), its payment made `earlier` (succeeded or
 * in flight), or no answer at all (`unanswered`: the lookup threw).
 */
export type Earlier =
  { kind: 'none' } | { kind: 'paid'; payment: Payment } | { kind: 'unanswered'; error: unknown };

/**
 * Runs `send` as the only send of `paymentHash` by this node at a time: a
 * seller that serves one invoice to two purchases (two paths, two clients of
 * one node) gets the second sent only once the first has its answer and its
 * bookkeeping is done. `send` is told what the node said of the hash before
 * (`Earlier`); it pays only on `none` (`endBeforeSending` ends the others).
 */
export async function sendOnce<T>(
  ctx: EngineContext,
  paymentHash: string,
  send: (earlier: Earlier) => Promise<T>,
): Promise<T> {
  let flights = sending.get(ctx.node);
  if (!flights) sending.set(ctx.node, (flights = new SingleFlight()));
  for (let f = flights.waitFor(paymentHash); f; f = flights.waitFor(paymentHash)) await f;
  return flights.run(paymentHash, async () => send(await lookUpEarlier(ctx, paymentHash)));
}

async function lookUpEarlier(ctx: EngineContext, paymentHash: string): Promise<Earlier> {
  try {
    const p = await ctx.node.lookupPayment(paymentHash);
    return p && p.status !== 'failed' ? { kind: 'paid', payment: p } : { kind: 'none' };
  } catch (error) {
    return { kind: 'unanswered', error };
  }
}

/**
 * Ends a payment before its send when the node paid the hash `earlier`
 * (`fromEarlierPayment`) or did not answer the lookup: with no answer, a
 * payment the node made may hide behind it, and a refusal of the send
 * (`already_paid`) could not be told from this send's own; so nothing is sent,
 * the grant's money is released and the purchase fails `payment_failed` (it
 * never started: `notStarted`). `undefined` on `none`: pay.
 */
export async function endBeforeSending(
  ctx: EngineContext,
  grant: Grant,
  pending: StoredToken,
  earlier: Earlier,
  at: number,
): Promise<PaidOffer | PayFailure | undefined> {
  if (earlier.kind === 'none') return undefined;
  if (earlier.kind === 'paid') return fromEarlierPayment(ctx, grant, pending, earlier.payment, at);
  const { offer, reservation, policy } = grant;
  policy.release(reservation);
  const reason =
    `payment never started: the node did not answer the lookup of payment ${offer.paymentHash} ` +
    `(${(earlier.error as Error)?.message ?? earlier.error}); nothing was paid: buy again once the node answers`;
  return neverStarted(ctx, offer, at, 'payment_failed', reason);
}

/**
 * The node paid (or is paying) the hash before this purchase (an earlier one whose token the
 * seller refused or the buyer lost, another client of the node). Nothing is sent: the grant's
 * money is released, the purchase pays 0 (no `payment`, no `pay ok`). A success completes this
 * offer's token from its preimage: the buyer holds what it paid for once, and a seller refusing
 * it again gets a refusal, not more money. One in flight (or without a preimage that opens the
 * hash) fails the purchase and stores nothing: whoever made it recovers it by hash. This
 * purchase's own payment never started (`notStarted`): its failed `pay` event says so.
 */
async function fromEarlierPayment(
  ctx: EngineContext,
  { offer, reservation, policy }: Grant,
  pending: StoredToken,
  earlier: Payment,
  at: number,
): Promise<PaidOffer | PayFailure> {
  policy.release(reservation);
  if (provenPaid(earlier, offer.paymentHash)) {
    const token: StoredToken = { ...pending, state: 'paid', preimage: earlier.preimage.toLowerCase() };
    await writeAfterPaying(ctx.tokens.put(token), ctx.logger, 'a token paid before');
    ctx.logger.info({ url: offer.url, paymentHash: offer.paymentHash }, 'l402: invoice paid before');
    return { ok: true, token, payMs: ctx.clock.now() - at };
  }
  const inFlight = earlier.status === 'in_flight';
  const reason =
    `this node's payment of invoice ${offer.paymentHash}, begun before this purchase, ` +
    `${inFlight ? 'is still in flight' : 'has no preimage that opens its hash'}; nothing was paid now: ` +
    'buy again once that payment has ended';
  return neverStarted(ctx, offer, at, inFlight ? 'payment_timeout' : 'payment_failed', reason);
}
