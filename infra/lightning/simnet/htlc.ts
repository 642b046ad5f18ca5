import type { Clock } from '../../time/clock.js';
import type { Rng } from '../../random.js';
import type { ChannelGraph } from './graph.js';
import type { LatencyModel } from './latency.js';
import type { AttemptResult, FinalDecision, HopFailure } from './outcomes.js';
import type { Route } from './router.js';
import type { SettlingRoutes } from './settling-routes.js';

/** What the HTLC engine needs from the network around it. */
export interface HtlcDeps {
  graph: ChannelGraph;
  clock: Clock;
  latency: LatencyModel;
  /**
   * The random streams of the node paying (node index): every hop of its
   * payments draws latency, and hop failures when they are on, from its own
   * streams, so one payer's payments never shift another payer's draws.
   */
  streams(payer: number): PayerStreams;
  /** online[node]: can the node take part right now. */
  online: boolean[];
  /**
   * Called when `payer`'s HTLC reaches the payee, with the payment secret of
   * its final payload (BOLT4 `payment_data`); hold invoices return a promise
   * that resolves on settle/cancel.
   */
  receive(
    payer: number,
    payee: number,
    paymentHash: string,
    amountMsat: number,
    paymentSecret: string | undefined,
  ): FinalDecision | Promise<FinalDecision>;
  /**
   * Failures unrelated to liquidity (a peer restarting, a flaky link): each
   * forwarding node refuses an HTLC with this probability, drawn from the
   * payer's hop-failure stream so latency draws do not shift. 0: none.
   */
  hopFailureProbability: number;
  /** Told about every hop that settled, so forwarding income can be counted. */
  onForwarded?(edgeIn: number, edgeOut: number, feeMsat: number): void;
  /** Told about every settlement as its hops settle back (a ledger read mid-settlement balances with it). */
  settling?: SettlingRoutes;
}

/** Where an HTLC goes and what its final payload says: the invoice's hash, payee and payment secret. */
export interface HtlcTarget {
  paymentHash: string;
  payee: number;
  paymentSecret?: string;
}

/** One payer's random streams (see `HtlcDeps.streams`). */
export interface PayerStreams {
  latency: Rng;
  hopFailures: Rng;
}

/**
 * `HtlcDeps.streams` for a network seeded by `rng`: each payer's streams are
 * forked by its name (adding a node shifts nobody's draws), made on first use.
 */
export function payerStreams(rng: Rng, nameOf: (payer: number) => string): (payer: number) => PayerStreams {
  const latency = rng.fork('latency');
  const hopFailures = rng.fork('hop-failures');
  const streams: PayerStreams[] = [];
  return (payer) => {
    if (streams[payer]) return streams[payer];
    const name = nameOf(payer);
    return (streams[payer] = { latency: latency.fork(name), hopFailures: hopFailures.fork(name) });
  };
}

/**
 * Moves one payment attempt along a route the way HTLCs move: added hop by
 * hop (each hop locks its amount in the channel, so concurrent payments
 * contend for liquidity), then either settled backwards from the payee
 * (each channel's locked amount moves to the other side, which reveals the
 * preimage hop by hop) or failed backwards (each locked amount returns).
 * Every hop update sleeps one latency draw on the injected clock.
 *
 * Conservation holds at every await point: lock moves balance → in-flight,
 * settle moves in-flight → the other side's balance, fail moves it back.
 */
export async function sendAlongRoute(
  deps: HtlcDeps,
  route: Route,
  target: HtlcTarget,
): Promise<AttemptResult> {
  const { graph: g, online } = deps;
  const { paymentHash, payee, paymentSecret } = target;
  const { edges, amounts } = route;
  const payer = g.from(edges[0]!);
  const rng = deps.streams(payer);
  let locked = 0;
  let failure: HopFailure | undefined;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    await hop(deps, rng);
    const to = g.to(e);
    if (!online[to]) {
      failure =
        to === payee
          ? { kind: 'final', reason: 'recipient_offline', message: 'the payee is offline' }
          : { kind: 'unknown_next_peer', edge: e, node: to };
      break;
    }
    const amount = amounts[i]!;
    const ch = g.channels[e >> 1]!;
    const pol = ch.policy[e & 1]!;
    // The forwarding node (not the payer) checks its fee against its current policy.
    if (i > 0 && amounts[i - 1]! - amount < g.fee(e, amount)) {
      failure = { kind: 'policy', edge: e, message: `fee below ${g.fee(e, amount)} msat` };
      break;
    }
    if (amount < pol.minHtlcMsat || amount > pol.maxHtlcMsat) {
      failure = { kind: 'policy', edge: e, message: `amount ${amount} outside HTLC limits` };
      break;
    }
    if (i > 0 && deps.hopFailureProbability > 0 && rng.hopFailures.next() < deps.hopFailureProbability) {
      failure = { kind: 'temporary_channel_failure', edge: e, amountMsat: amount };
      break;
    }
    if (g.spendable(e) < amount) {
      failure = { kind: 'temporary_channel_failure', edge: e, amountMsat: amount };
      break;
    }
    const d = (e & 1) as 0 | 1;
    ch.balance[d] -= amount;
    ch.inFlight[d] += amount;
    ch.htlcs[d] += 1;
    locked = i + 1;
  }

  if (!failure) {
    const decision = await deps.receive(
      payer,
      payee,
      paymentHash,
      amounts[amounts.length - 1]!,
      paymentSecret,
    );
    if (decision.kind === 'settle') {
      const settling = deps.settling?.begin(edges, amounts);
      for (let i = edges.length - 1; i >= 0; i--) {
        await hop(deps, rng);
        settle(deps, edges[i]!, amounts[i]!);
        if (settling) deps.settling!.settled(settling, i);
        if (i > 0) deps.onForwarded?.(edges[i - 1]!, edges[i]!, amounts[i - 1]! - amounts[i]!);
      }
      return { kind: 'settled', preimage: decision.preimage };
    }
    failure = { kind: 'final', reason: decision.reason, message: decision.message };
  }

  // Fail back from the last locked hop; the payer hears of it when it reaches hop 0.
  for (let i = locked - 1; i >= 0; i--) {
    await hop(deps, rng);
    release(deps, edges[i]!, amounts[i]!);
  }
  return { kind: 'failed', hop: locked, failure };
}

function hop(deps: HtlcDeps, rng: PayerStreams): Promise<void> {
  const ms = deps.latency.hopMs(rng.latency);
  return ms > 0 ? deps.clock.sleep(ms) : Promise.resolve();
}

function settle(deps: HtlcDeps, e: number, amount: number): void {
  const ch = deps.graph.channels[e >> 1]!;
  const d = (e & 1) as 0 | 1;
  ch.inFlight[d] -= amount;
  ch.htlcs[d] -= 1;
  ch.balance[d === 0 ? 1 : 0] += amount;
}

function release(deps: HtlcDeps, e: number, amount: number): void {
  const ch = deps.graph.channels[e >> 1]!;
  const d = (e & 1) as 0 | 1;
  ch.inFlight[d] -= amount;
  ch.htlcs[d] -= 1;
  ch.balance[d] += amount;
}
