import type { Msat } from '../../money.js';
import type { Payment, PaymentFailureReason } from '../node.js';
import { sendAlongRoute } from './htlc.js';
import type { MissionControl } from './mission-control.js';
import type { ShardCollector } from './mpp.js';
import { describeHopFailure, type AttemptResult } from './outcomes.js';
import type { IssuedInvoice, MultipartOptions, PaymentDeps } from './payment-deps.js';
import type { Route } from './router.js';

/** What one multi-part payment works with: the payer's record, its router and its way to end. */
export interface MultipartPayment {
  deps: PaymentDeps;
  collector: ShardCollector;
  options: MultipartOptions;
  payment: Payment;
  inv: IssuedInvoice;
  maxFeeMsat: Msat;
  timeoutMs?: number;
  mc: MissionControl;
  route(amountMsat: Msat, maxFeeMsat: Msat): Route | undefined;
  /** Why nothing more can be sent: fee limit, offline payee or no route (with the last failure). */
  noRoute(amountMsat: Msat, maxFeeMsat: Msat, last: string): [PaymentFailureReason, string];
  finish(reason: PaymentFailureReason, message: string): Payment;
}

interface Shard {
  id: number;
  route: Route;
  amountMsat: Msat;
}

/**
 * A multi-part payment as LND sends one: try the whole amount; when no
 * route carries it, halve the shard (never below `minShardMsat`) and send
 * shards side by side, at most `maxParts` at once. The payee holds every
 * shard until all of the amount has arrived, then settles them together
 * (see `ShardCollector`). A shard that fails en route returns its amount to
 * what is left to send; the payer gives up after `maxAttempts` failed
 * shards, on timeout, or when nothing more can be sent while every shard
 * it sent waits at the payee; then held shards fail back and every channel
 * gets its money back. The payer only returns once every shard has come back.
 */
export async function payInParts(p: MultipartPayment): Promise<Payment> {
  const { deps: d, collector, inv, payment } = p;
  const amountMsat = payment.amountMsat;
  collector.open(inv.payee, inv.paymentHash, amountMsat);
  const active = new Map<number, Promise<{ shard: Shard; result: AttemptResult }>>();
  const settled: Shard[] = [];
  let remaining = amountMsat;
  let feeCommitted = 0;
  let shardCap = amountMsat;
  let failures = 0;
  let nextId = 0;
  let last = '';
  let ending: [PaymentFailureReason, string] | undefined;
  let preimage: string | undefined;

  const giveUp = (reason: PaymentFailureReason, message: string) => {
    ending ??= [reason, message];
    collector.abandon(inv.payee, inv.paymentHash, 'the payer gave up on this payment');
  };

  for (;;) {
    if (!ending && remaining > 0) {
      if (p.timeoutMs !== undefined && d.clock.now() - payment.createdAt >= p.timeoutMs)
        giveUp('timeout', `gave up after ${p.timeoutMs} ms and ${payment.attempts} attempts${last}`);
      while (!ending && remaining > 0 && active.size < p.options.maxParts) {
        const amount = Math.min(remaining, shardCap);
        const route = p.route(amount, p.maxFeeMsat - feeCommitted);
        if (!route) {
          const half = Math.ceil(amount / 2);
          if (half < amount && half >= p.options.minShardMsat) {
            shardCap = half;
            continue;
          }
          break;
        }
        const shard: Shard = { id: nextId++, route, amountMsat: amount };
        payment.attempts++;
        remaining -= amount;
        feeCommitted += route.feeMsat;
        active.set(
          shard.id,
          sendAlongRoute(d.htlc, route, inv.paymentHash, inv.payee).then((result) => ({ shard, result })),
        );
      }
      const stuck = active.size === collector.heldCount(inv.payee, inv.paymentHash);
      if (!ending && remaining > 0 && stuck)
        giveUp(...p.noRoute(Math.min(remaining, shardCap), p.maxFeeMsat - feeCommitted, last));
    }
    if (active.size === 0) break;

    const woke = await Promise.race([
      ...active.values(),
      collector.nextArrival(inv.payee, inv.paymentHash).then(() => undefined),
    ]);
    if (!woke) continue;
    const { shard, result } = woke;
    active.delete(shard.id);
    if (result.kind === 'settled') {
      preimage = result.preimage;
      settled.push(shard);
      continue;
    }
    remaining += shard.amountMsat;
    feeCommitted -= shard.route.feeMsat;
    const f = result.failure;
    if (f.kind === 'final') {
      giveUp(f.reason, f.message);
      continue;
    }
    const { edges, amounts } = shard.route;
    for (let i = 1; i < result.hop; i++) p.mc.recordSuccess(edges[i]!, amounts[i]!);
    p.mc.recordFailure(f.edge, amounts[result.hop] ?? shard.amountMsat, d.clock.now());
    last = `; last failure: ${describeHopFailure(f, (e) => d.graph.channels[e >> 1]!.scid)}`;
    if (++failures >= d.maxAttempts) giveUp('no_route', `gave up after ${failures} failed shards${last}`);
  }
  collector.close(inv.payee, inv.paymentHash);

  if (preimage !== undefined && remaining === 0) return succeed(p, settled, preimage);
  const [reason, message] = ending ?? ['error', 'payment ended without an outcome (bug)'];
  return p.finish(reason, message);
}

/** Every shard settled: mission control learns each route worked, and the payment records the fees and the longest route. */
function succeed(p: MultipartPayment, settled: Shard[], preimage: string): Payment {
  for (const s of settled)
    for (let i = 1; i < s.route.edges.length; i++) p.mc.recordSuccess(s.route.edges[i]!, s.route.amounts[i]!);
  Object.assign(p.payment, {
    status: 'succeeded',
    preimage,
    feeMsat: settled.reduce((a, s) => a + s.route.feeMsat, 0),
    hops: Math.max(...settled.map((s) => s.route.edges.length)),
    resolvedAt: p.deps.clock.now(),
  });
  return { ...p.payment };
}
