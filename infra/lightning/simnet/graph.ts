import { forwardingFee, type Msat } from '../../money.js';
import { channelMsat as msat, makePolicy, type ChannelPolicy } from './channel-policy.js';
import { LabError } from '../../errors.js';

export type { ChannelPolicy } from './channel-policy.js';

/** Options of `openChannel`; policy fields apply to both directions unless changed with `setPolicy`. */
export interface ChannelOptions {
  capacityMsat: Msat;
  /** Given to the other side at opening (default 0: the opener owns everything). */
  pushMsat?: Msat;
  baseFeeMsat?: Msat;
  feeRatePpm?: number;
  cltvDelta?: number;
  minHtlcMsat?: Msat;
  maxHtlcMsat?: Msat;
  /** Per direction (default: the capacity). */
  maxInFlightMsat?: Msat;
  /** Each side must keep this much (default 1% of the capacity, as LND). */
  reserveMsat?: Msat;
  /** Per direction (default 483, the BOLT2 maximum). */
  maxAcceptedHtlcs?: number;
}

/**
 * One channel between node indices `nodes[0]` and `nodes[1]`. Direction `d`
 * means "sent by `nodes[d]`". Money lives in exactly one of four places:
 * `balance[0]`, `balance[1]`, `inFlight[0]`, `inFlight[1]`; their sum is the
 * capacity, always (see `ChannelGraph.audit`).
 */
export interface SimChannel {
  readonly id: number;
  /** A short channel id in LND's `block x tx x out` form, unique per network. */
  readonly scid: string;
  readonly nodes: readonly [number, number];
  readonly capacityMsat: Msat;
  readonly balance: [Msat, Msat];
  readonly inFlight: [Msat, Msat];
  readonly htlcs: [number, number];
  readonly policy: [ChannelPolicy, ChannelPolicy];
  /** Per direction: most the sender may have locked in HTLCs at once. */
  readonly maxInFlightMsat: [Msat, Msat];
  readonly reserveMsat: Msat;
  /** Per direction: most HTLCs the sender may have pending at once. */
  readonly maxAcceptedHtlcs: [number, number];
}

/** Edge id of direction `dir` of channel `id`: compact numbers the router keeps in typed arrays. */
export const edgeId = (channelId: number, dir: 0 | 1): number => channelId * 2 + dir;

/**
 * The channel graph: node count, channels, and per-node outgoing edge lists
 * (adjacency arrays, so pathfinding allocates nothing per edge).
 */
export class ChannelGraph {
  readonly channels: SimChannel[] = [];
  /** outEdges[node] = edge ids leaving `node`; inEdges[node] = edge ids arriving. */
  readonly outEdges: number[][] = [];
  readonly inEdges: number[][] = [];
  /** Bumped on every change the router's cache depends on (channels, policies). */
  version = 0;
  #expectedTotal = 0;

  get nodeCount(): number {
    return this.outEdges.length;
  }

  addNode(): number {
    this.outEdges.push([]);
    this.inEdges.push([]);
    this.version++;
    return this.outEdges.length - 1;
  }

  addChannel(a: number, b: number, o: ChannelOptions): SimChannel {
    if (a === b)
      throw new LabError('invalid_channel', `a channel needs two different nodes (got node ${a} twice)`);
    if (a >= this.nodeCount || b >= this.nodeCount || a < 0 || b < 0)
      throw new LabError('unknown_node', `unknown node index ${a >= this.nodeCount ? a : b}`);
    const cap = msat(o.capacityMsat, 'capacityMsat');
    if (cap === 0) throw new LabError('invalid_channel', 'capacityMsat must be positive');
    const push = msat(o.pushMsat ?? 0, 'pushMsat');
    if (push > cap) throw new LabError('invalid_channel', `pushMsat ${push} exceeds capacityMsat ${cap}`);
    const reserve = msat(o.reserveMsat ?? Math.floor(cap / 100), 'reserveMsat');
    if (reserve > cap)
      throw new LabError('invalid_channel', `reserveMsat ${reserve} exceeds capacityMsat ${cap}`);
    const maxInFlight = msat(o.maxInFlightMsat ?? cap, 'maxInFlightMsat');
    const maxAcceptedHtlcs = o.maxAcceptedHtlcs ?? 483;
    if (!Number.isSafeInteger(maxAcceptedHtlcs) || maxAcceptedHtlcs < 1)
      throw new LabError(
        'invalid_channel',
        `maxAcceptedHtlcs must be a positive integer, got ${maxAcceptedHtlcs}`,
      );
    const policy = makePolicy(o, cap);
    const id = this.channels.length;
    const ch: SimChannel = {
      id,
      scid: `${100 + id}x1x0`,
      nodes: [a, b],
      capacityMsat: cap,
      balance: [cap - push, push],
      inFlight: [0, 0],
      htlcs: [0, 0],
      policy: [policy, { ...policy }],
      maxInFlightMsat: [maxInFlight, maxInFlight],
      reserveMsat: reserve,
      maxAcceptedHtlcs: [maxAcceptedHtlcs, maxAcceptedHtlcs],
    };
    this.channels.push(ch);
    this.outEdges[a]!.push(edgeId(id, 0));
    this.outEdges[b]!.push(edgeId(id, 1));
    this.inEdges[b]!.push(edgeId(id, 0));
    this.inEdges[a]!.push(edgeId(id, 1));
    this.#expectedTotal += cap;
    this.version++;
    return ch;
  }

  /** Changes the policy of the direction sent by `channel.nodes[dir]`. */
  setPolicy(channelId: number, dir: 0 | 1, update: Partial<ChannelPolicy>): void {
    const ch = this.channel(channelId);
    ch.policy[dir] = makePolicy({ ...ch.policy[dir], ...update }, ch.capacityMsat);
    this.version++;
  }

  /** Changes the in-flight limits of the direction sent by `channel.nodes[dir]`. */
  setLimits(
    channelId: number,
    dir: 0 | 1,
    limits: { maxInFlightMsat?: Msat; maxAcceptedHtlcs?: number },
  ): void {
    const ch = this.channel(channelId);
    if (limits.maxInFlightMsat !== undefined)
      ch.maxInFlightMsat[dir] = msat(limits.maxInFlightMsat, 'maxInFlightMsat');
    const n = limits.maxAcceptedHtlcs;
    if (n !== undefined) {
      if (!Number.isSafeInteger(n) || n < 1)
        throw new LabError('invalid_channel', `maxAcceptedHtlcs must be a positive integer, got ${n}`);
      ch.maxAcceptedHtlcs[dir] = n;
    }
  }

  /** Fault injection: moves `nodes[dir]`'s balance to the other side but `leaveMsat` (whole msat, ≤ capacity). */
  drain(channelId: number, dir: 0 | 1, leaveMsat: Msat): void {
    const ch = this.channel(channelId);
    const leave = msat(leaveMsat, 'leaveMsat');
    if (leave > ch.capacityMsat)
      throw new LabError(
        'invalid_channel',
        `leaveMsat must be at most the capacity ${ch.capacityMsat}, got ${leave}`,
      );
    const moved = Math.max(0, ch.balance[dir] - leave);
    ch.balance[dir] -= moved;
    ch.balance[dir === 0 ? 1 : 0] += moved;
  }

  channel(id: number): SimChannel {
    const ch = this.channels[id];
    if (!ch) throw new LabError('unknown_channel', `unknown channel ${id}`);
    return ch;
  }

  /** Node that sends over edge `e`. */
  from(e: number): number {
    return this.channels[e >> 1]!.nodes[e & 1]!;
  }

  /** Node that receives over edge `e`. */
  to(e: number): number {
    return this.channels[e >> 1]!.nodes[(e & 1) ^ 1]!;
  }

  /** What the sender of edge `e` can add as one more HTLC right now (reserve, in-flight cap, HTLC slots). */
  spendable(e: number): Msat {
    const ch = this.channels[e >> 1]!;
    const d = e & 1;
    if (ch.htlcs[d]! >= ch.maxAcceptedHtlcs[d]!) return 0;
    return Math.max(0, Math.min(ch.balance[d]! - ch.reserveMsat, ch.maxInFlightMsat[d]! - ch.inFlight[d]!));
  }

  /** What `node` can send over all its channels right now: the sum of its edges' `spendable`. */
  localSpendable(node: number): Msat {
    let s = 0;
    for (const e of this.outEdges[node]!) s += this.spendable(e);
    return s;
  }

  /** Fee the sender of edge `e` charges to forward `amountMsat` over it. */
  fee(e: number, amountMsat: Msat): Msat {
    const p = this.channels[e >> 1]!.policy[e & 1]!;
    return forwardingFee(p.baseFeeMsat, p.feeRatePpm, amountMsat);
  }

  /** Sum of every balance and every in-flight HTLC: constant for the life of the network. */
  totalMsat(): Msat {
    let t = 0;
    for (const ch of this.channels) t += ch.balance[0] + ch.balance[1] + ch.inFlight[0] + ch.inFlight[1];
    return t;
  }

  /** Checks conservation per channel and in total, to the msat; lists every violation found. */
  audit(): { ok: boolean; totalMsat: Msat; expectedMsat: Msat; violations: string[] } {
    const violations: string[] = [];
    for (const ch of this.channels) {
      const sum = ch.balance[0] + ch.balance[1] + ch.inFlight[0] + ch.inFlight[1];
      if (sum !== ch.capacityMsat)
        violations.push(`channel ${ch.scid}: balances + in-flight = ${sum}, capacity ${ch.capacityMsat}`);
      for (const d of [0, 1] as const) {
        if (ch.balance[d] < 0 || ch.inFlight[d] < 0 || ch.htlcs[d] < 0)
          violations.push(`channel ${ch.scid} side ${d}: negative balance, in-flight or HTLC count`);
        if (ch.htlcs[d] === 0 && ch.inFlight[d] !== 0)
          violations.push(`channel ${ch.scid} side ${d}: ${ch.inFlight[d]} msat in flight with no HTLC`);
      }
    }
    const totalMsat = this.totalMsat();
    if (totalMsat !== this.#expectedTotal)
      violations.push(`network holds ${totalMsat} msat, expected ${this.#expectedTotal}`);
    return { ok: violations.length === 0, totalMsat, expectedMsat: this.#expectedTotal, violations };
  }
}
