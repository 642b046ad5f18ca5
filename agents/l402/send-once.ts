import type { Payment } from '../../infra/lightning/node.js';
import type { EngineContext } from './context.js';
import { SingleFlight } from './single-flight.js';

/** The sends each node is making, by payment hash. */
const sending = new WeakMap<object, SingleFlight>();

/**
 * Runs `send` as the only send of `paymentHash` by this node at a time: a
 * seller that serves one invoice to two purchases (two paths, two clients of
 * one node) gets the second sent only once the first has its answer and its
 * bookkeeping is done. `send` is told the node's payment of the hash made
 * `earlier`, succeeded or in flight, which it must not pay nor charge again;
 * with no record (or a failed one, which may be paid again) it pays. No answer
 * from the node is no record: the send goes ahead, and the node refuses it if
 * it did pay (payment.ts looks such a refusal up by hash).
 */
export async function sendOnce<T>(
  ctx: EngineContext,
  paymentHash: string,
  send: (earlier: Payment | undefined) => Promise<T>,
): Promise<T> {
  let flights = sending.get(ctx.node);
  if (!flights) sending.set(ctx.node, (flights = new SingleFlight()));
  for (let f = flights.waitFor(paymentHash); f; f = flights.waitFor(paymentHash)) await f;
  return flights.run(paymentHash, async () => {
    const p = await ctx.node.lookupPayment(paymentHash).catch(() => undefined);
    return send(p && p.status !== 'failed' ? p : undefined);
  });
}
