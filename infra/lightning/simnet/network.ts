import type { Logger } from '../../log.js';
import type { Msat } from '../../money.js';
import { osSecrets, type SecretSource } from '../../random.js';
import type { Clock } from '../../time/clock.js';
import type { Network } from '../node.js';
import { defaultSecp } from '../secp.js';
import { ChannelGraph, type ChannelOptions, type ChannelPolicy, type SimChannel } from './graph.js';
import { InvoiceStore } from './invoices.js';
import { UnpaidInvoiceSweep } from './invoice-sweep.js';
import { defaultLatency } from './latency.js';
import { ShardCollector } from './mpp.js';
import { payerStreams } from './htlc.js';
import type { IssuedInvoice } from './payment-deps.js';
import { checkNetworkOptions, type SimNetworkOptions } from './network-options.js';
import { PaymentEngine } from './payment.js';
import { Router } from './router.js';
import { SettledArchive } from './settled-archive.js';
import { SettlingRoutes } from './settling-routes.js';
import { SimNode } from './sim-node.js';
import { LabError } from '../../errors.js';

/**
 * The embedded Lightning network: nodes with their own keys, channels with
 * balances and policies, sender-side routing with retries, HTLCs that lock
 * liquidity hop by hop on the injected clock. Every node is a `SimNode`
 * implementing `LightningNode`; invoices are regtest (`lnbcrt`).
 *
 * @example
 * const net = new SimNetwork({ clock: new VirtualClock(), rng: createRng(1) }); // keys from the OS
 * const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
 * net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
 * net.openChannel(bob, carol, { capacityMsat: 1_000_000_000 });
 * const inv = await carol.createInvoice({ amountMsat: 50_000 });
 * const payment = alice.pay(inv.paymentRequest); // resolves as the clock runs
 */
export class SimNetwork {
  readonly clock: Clock;
  readonly network: Network = 'regtest';
  readonly graph = new ChannelGraph();
  readonly nodes: SimNode[] = [];
  readonly #online: boolean[] = [];
  readonly #secrets: SecretSource;
  readonly #byAlias = new Map<string, SimNode>();
  readonly #byPubkey = new Map<string, number>();
  readonly #issued = new Map<string, IssuedInvoice>();
  readonly #stores: InvoiceStore[] = [];
  readonly #archive = new SettledArchive();
  readonly #feesEarned: number[] = []; // per node index, 0 from when it is added
  readonly #signInvoices: boolean;
  readonly #payments: PaymentEngine;
  /** The payers' route finder (its `work` counts own searches, routes read off shared ones, nodes settled). */
  readonly router: Router;
  readonly settling = new SettlingRoutes(this.graph); // payments settling back along their routes now
  readonly #sweep: UnpaidInvoiceSweep;
  readonly #logger: Logger | undefined;
  // Shared by every node (one closure per network, not per node).
  readonly #indexPubkey = (pubkey: string, index: number): void => void this.#byPubkey.set(pubkey, index);
  readonly #afterIssue = () => this.#sweep.afterIssue();

  constructor(options: SimNetworkOptions) {
    checkNetworkOptions(options);
    const {
      clock,
      rng,
      secrets = osSecrets,
      latency = defaultLatency,
      signInvoices = true,
      router = 'lnd',
      maxAttempts = 10,
      missionControl,
      multipart,
      hopFailureProbability = 0,
      forgetSettledInvoices = false,
      sharedSlots,
      logger,
    } = options;
    this.clock = clock;
    this.#secrets = secrets;
    const collector = new ShardCollector((payee, ...htlc) => this.#stores[payee]!.receive(...htlc));
    this.#signInvoices = signInvoices;
    this.#logger = logger;
    const htlc = {
      graph: this.graph,
      clock,
      latency,
      streams: payerStreams(rng, (payer) => this.nodes[payer]!.alias),
      hopFailureProbability,
      online: this.#online,
      receive: collector.arrive.bind(collector),
      onForwarded: (edgeIn: number, _out: number, fee: Msat) =>
        void (this.#feesEarned[this.graph.to(edgeIn)]! += fee),
      settling: this.settling,
    };
    this.router = new Router(this.graph, sharedSlots === undefined ? {} : { sharedSlots });
    this.#payments = new PaymentEngine({
      graph: this.graph,
      router: this.router,
      routerKind: router,
      clock,
      network: this.network,
      signInvoices,
      htlc,
      online: this.#online,
      issued: this.#issued,
      nodeByPubkey: this.#byPubkey,
      maxAttempts,
      archive: this.#archive,
      ...(missionControl && { missionControl }),
      collector,
      ...(multipart && { multipart }),
    });
    const expiry = { clock, issued: this.#issued, stores: this.#stores, payments: this.#payments };
    this.#sweep = new UnpaidInvoiceSweep({ ...expiry, archive: this.#archive }, forgetSettledInvoices);
  }

  /** Adds a node; its key comes from the network's secret source (seeded sources: from the seed and the node's index). */
  addNode({ alias }: { alias: string }): SimNode {
    if (typeof alias !== 'string' || alias.length === 0)
      throw new LabError('invalid_node', 'a node needs a non-empty alias');
    if (this.#byAlias.has(alias))
      throw new LabError('duplicate_alias', `a node named "${alias}" already exists`);
    const index = this.graph.addNode();
    const keys = this.#secrets.fork(`node/${index}`);
    let secretKey = keys.bytes(32);
    while (!defaultSecp.isSecretKey(secretKey)) secretKey = keys.bytes(32);
    const invoices = new InvoiceStore(this.clock, this.#logger);
    this.#stores.push(invoices);
    this.#online.push(true);
    this.#feesEarned.push(0);
    const node = new SimNode({
      index,
      alias,
      secretKey,
      // The public key is derived when first used; payments find the payee of a foreign invoice by it.
      onPubkey: this.#indexPubkey,
      secrets: keys.fork('invoices'),
      clock: this.clock,
      network: this.network,
      signInvoices: this.#signInvoices,
      graph: this.graph,
      invoices,
      payments: this.#payments,
      issued: this.#issued,
      archive: this.#archive,
      afterIssue: this.#afterIssue,
    });
    this.nodes.push(node);
    this.#byAlias.set(alias, node);
    return node;
  }

  /** The node with this alias, or throws `unknown_node`. */
  node(alias: string): SimNode {
    const n = this.#byAlias.get(alias);
    if (!n) throw new LabError('unknown_node', `no node named "${alias}"`);
    return n;
  }

  /** Opens a channel funded by `a` (minus `pushMsat`, which goes to `b`). */
  openChannel(a: SimNode, b: SimNode, opts: ChannelOptions): SimChannel {
    return this.graph.addChannel(this.#own(a), this.#own(b), opts);
  }

  /** Changes the forwarding policy `from` announces on `channel`. */
  setPolicy(channel: SimChannel, from: SimNode, update: Partial<ChannelPolicy>): void {
    this.graph.setPolicy(channel.id, this.#side(channel, from), update);
  }

  /** Takes a node off the network (HTLCs towards it fail) or back on. */
  setOnline(node: SimNode, online: boolean): void {
    this.#online[this.#own(node)] = online;
  }

  isOnline(node: SimNode): boolean {
    return this.#online[this.#own(node)]!;
  }

  /**
   * Fault injection: moves `from`'s settled balance on `channel` to the other side, leaving `leaveMsat`
   * (default 0; whole msat up to the capacity, else `invalid_channel`); nothing is created or destroyed.
   */
  drainChannel(channel: SimChannel, from: SimNode, leaveMsat: Msat = 0): void {
    this.graph.drain(channel.id, this.#side(channel, from), leaveMsat);
  }

  /** Channels between two nodes, in opening order. */
  channelsBetween(a: SimNode, b: SimNode): SimChannel[] {
    const [ia, ib] = [this.#own(a), this.#own(b)];
    return this.graph.channels.filter(
      (c) => (c.nodes[0] === ia && c.nodes[1] === ib) || (c.nodes[0] === ib && c.nodes[1] === ia),
    );
  }

  /** Sum of every channel balance plus every in-flight HTLC (constant). */
  totalMsat(): Msat {
    return this.graph.totalMsat();
  }

  /** Conservation check to the msat, per channel and in total. */
  audit(): ReturnType<ChannelGraph['audit']> {
    return this.graph.audit();
  }

  /** Routing fees `node` has earned by forwarding. */
  feesEarnedMsat(node: SimNode): Msat {
    return this.#feesEarned[this.#own(node)]!;
  }

  /**
   * Frees memory in long runs: forgets every invoice whose expiry has passed (unless a hold HTLC is still
   * accepted), settled ones included, and the payers' records of ended payments of expired invoices: these
   * can no longer be paid, so outcomes do not change; lookups of settled ones still answer from the bounded
   * `SettledArchive`. Returns how many invoices it forgot (expired unpaid ones also go as new ones are issued).
   */
  pruneExpired(): number {
    return this.#sweep.pruneAll();
  }

  /** Invoices the network still knows: issued and not forgotten. */
  invoicesHeld(): number {
    return this.#issued.size;
  }

  /** Payment records the payers still hold (in flight or resolved, not forgotten). */
  paymentsHeld(): number {
    return this.#payments.held;
  }

  /** Route-cache hit counts, for benchmarks and reports. */
  routeCacheStats(): { hits: number; misses: number } {
    return { hits: this.#payments.cache.hits, misses: this.#payments.cache.misses };
  }

  #own(node: SimNode): number {
    if (this.nodes[node?.index] !== node)
      throw new LabError('unknown_node', `node ${String(node?.alias)} does not belong to this network`);
    return node.index;
  }

  #side(channel: SimChannel, node: SimNode): 0 | 1 {
    const i = this.#own(node);
    if (this.graph.channels[channel?.id] !== channel)
      throw new LabError('unknown_channel', 'channel does not belong to this network');
    if (channel.nodes[0] === i) return 0;
    if (channel.nodes[1] === i) return 1;
    throw new LabError('invalid_channel', `${node.alias} is not a party to channel ${channel.scid}`);
  }
}
