import type { Msat } from '../../money.js';
import { plural } from '../../count-words.js';
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
  /** The paying node (its shards form a set of their own at the payee). */
  payer: number;
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
  const set = collector.open(p.payer, inv.payee, inv.paymentHash, payment.amountMsat, inv.paymentSecret);
  const s: Progress = {
    set,
    active: new Map(),
    settled: [],
    remaining: payment.amountMsat,
    feeCommitted: 0,
    shardCap: payment.amountMsat,
    failures: 0,
    nextId: 0,
    last: '',
  };
  for (;;) {
    if (!s.ending && s.remaining > 0) {
      if (p.timeoutMs !== undefined && d.clock.now() - payment.createdAt >= p.timeoutMs)
        giveUp(
          p,
          s,
          'timeout',
          `gave up after ${p.timeoutMs} ms and ${plural(payment.attempts, 'attempt')}${s.last}`,
        );
      sendShards(p, s);
      const stuck = s.active.size === collector.heldCount(set);
      if (!s.ending && s.remaining > 0 && stuck)
        giveUp(p, s, ...p.noRoute(Math.min(s.remaining, s.shardCap), p.maxFeeMsat - s.feeCommitted, s.last));
    }
    if (s.active.size === 0) break;

    const woke = await Promise.race([...s.active.values(), collector.nextArrival(set).then(() => undefined)]);
    if (!woke) continue;
    const { shard, result } = woke;
    s.active.delete(shard.id);
    if (result.kind === 'settled') {
      s.preimage = result.preimage;
      s.settled.push(shard);
      continue;
    }
    shardFailed(p, s, shard, result);
  }
  collector.close(set);

  if (s.preimage !== undefined && s.remaining === 0) return succeed(p, s.settled, s.preimage);
  const [reason, message] = s.ending ?? ['error', 'payment ended without an outcome (bug)'];
  return p.finish(reason, message);
}

/** A multi-part payment's state while its shards go out and come back. */
interface Progress {
  /** The payer's shard set at the payee (`ShardCollector` key). */
  set: string;
  /** Shards en route or held at the payee, by id. */
  active: Map<number, Promise<{ shard: Shard; result: AttemptResult }>>;
  settled: Shard[];
  /** Not yet sent, or sent and failed back. */
  remaining: Msat;
  /** Fees of the routes of the shards in flight or settled. */
  feeCommitted: Msat;
  /** The largest shard to try next (halved while no route carries it). */
  shardCap: Msat;
  failures: number;
  nextId: number;
  /** The last hop failure, as a suffix for messages. */
  last: string;
  /** Why the payer stopped sending (the first reason wins). */
  ending?: [PaymentFailureReason, string];
  preimage?: string;
}

/** Stops sending: the first reason is the payment's; shards held at the payee fail back. */
function giveUp(p: MultipartPayment, s: Progress, reason: PaymentFailureReason, message: string): void {
  s.ending ??= [reason, message];
  p.collector.abandon(s.set, 'the payer gave up on this payment');
}

/** Sends shards while some amount is left and fewer than `maxParts` are out, halving the shard while no route carries it. */
function sendShards(p: MultipartPayment, s: Progress): void {
  while (!s.ending && s.remaining > 0 && s.active.size < p.options.maxParts) {
    const amount = Math.min(s.remaining, s.shardCap);
    const route = p.route(amount, p.maxFeeMsat - s.feeCommitted);
    if (!route) {
      const half = Math.ceil(amount / 2);
      if (half < amount && half >= p.options.minShardMsat) {
        s.shardCap = half;
        continue;
      }
      break;
    }
    const shard: Shard = { id: s.nextId++, route, amountMsat: amount };
    p.payment.attempts++;
    s.remaining -= amount;
    s.feeCommitted += route.feeMsat;
    s.active.set(
      shard.id,
      sendAlongRoute(p.deps.htlc, route, p.inv).then((result) => ({ shard, result })),
    );
  }
}

/** A shard failed back: its amount is to send again; mission control learns where it failed; too many failures end the payment. */
function shardFailed(
  p: MultipartPayment,
  s: Progress,
  shard: Shard,
  result: Extract<AttemptResult, { kind: 'failed' }>,
): void {
  s.remaining += shard.amountMsat;
  s.feeCommitted -= shard.route.feeMsat;
  const f = result.failure;
  if (f.kind === 'final') {
    giveUp(p, s, f.reason, f.message);
    return;
  }
  const { edges, amounts } = shard.route;
  for (let i = 1; i < result.hop; i++) p.mc.recordSuccess(edges[i]!, amounts[i]!);
  p.mc.recordFailure(f.edge, amounts[result.hop] ?? shard.amountMsat, p.deps.clock.now());
  s.last = `; last failure: ${describeHopFailure(f, (e) => p.deps.graph.channels[e >> 1]!.scid)}`;
  if (++s.failures >= p.deps.maxAttempts)
    giveUp(p, s, 'no_route', `gave up after ${s.failures} failed shards${s.last}`);
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
