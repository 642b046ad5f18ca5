import { access } from 'node:fs/promises';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { LndError, LndRestClient, type LndFiles } from '../lightning/lnd/index.js';
import { readConnection } from '../lightning/lnd/lnd-files.js';
import {
  lndChannelListSchema,
  lndWalletBalanceSchema,
  parseWire,
  type LndChannel,
} from '../lightning/lnd/wire.js';
import {
  channelPointSchema,
  getInfoSchema,
  graphSchema,
  newAddressSchema,
  peerListSchema,
  pendingOpenSchema,
  stateSchema,
} from './lnd-admin-wire.js';
import { ONCHAIN_SAT_PER_VBYTE } from './fee-rates.js';
import type { EdgeView } from './gossip-wait.js';
import { sleepUnlessAborted, throwIfAborted } from './abort.js';

/** Options for opening a channel; fees apply to the opener's direction. */
export interface OpenChannelOptions {
  capacitySat: number;
  pushSat?: number;
  baseFeeMsat?: number;
  feeRatePpm?: number;
  private?: boolean;
}

/**
 * Node administration the regtest bootstrap needs and `LightningNode` does not
 * offer (addresses, peers, channels, graph): LND REST calls, nothing more.
 * Every answer is read through a schema (lnd-admin-wire.ts): one of another
 * shape is `LndError('bad_response')` naming the call and the field
 * (`parseWire`), never a NaN balance or an undefined address.
 */
export class LndAdmin {
  constructor(readonly rest: LndRestClient) {}

  /** A fresh P2WPKH address of the node's wallet. */
  async newAddress(): Promise<string> {
    const answer = await this.rest.call('GET', '/v1/newaddress?type=WITNESS_PUBKEY_HASH');
    return parseWire(newAddressSchema, answer, 'new address').address;
  }

  /** The wallet's confirmed on-chain balance, in whole sat. */
  async confirmedBalanceSat(): Promise<number> {
    const answer = await this.rest.call('GET', '/v1/balance/blockchain');
    return parseWire(lndWalletBalanceSchema, answer, 'wallet balance').confirmed_balance;
  }

  async getInfo(): Promise<{
    pubkey: string;
    syncedToChain: boolean;
    blockHeight: number;
    syncedToGraph: boolean;
  }> {
    const r = parseWire(getInfoSchema, await this.rest.call('GET', '/v1/getinfo'), 'getinfo');
    return {
      pubkey: r.identity_pubkey,
      syncedToChain: r.synced_to_chain,
      syncedToGraph: r.synced_to_graph,
      blockHeight: r.block_height,
    };
  }

  /** Connects to a peer (permanent: LND reconnects after restarts). Already connected is fine. */
  async connectPeer(pubkey: string, host: string): Promise<void> {
    try {
      await this.rest.call('POST', '/v1/peers', { addr: { pubkey, host }, perm: true, timeout: '20' });
    } catch (err) {
      if (err instanceof LndError && /already connected/i.test(err.lndMessage ?? '')) return;
      throw err;
    }
  }

  async peers(): Promise<string[]> {
    const answer = await this.rest.call('GET', '/v1/peers');
    return parseWire(peerListSchema, answer, 'list peers').peers.map((p) => p.pub_key);
  }

  /** Opens a channel and returns its channel point `txid:index` once the funding tx is broadcast. */
  async openChannel(pubkey: string, o: OpenChannelOptions): Promise<string> {
    const answer = await this.rest.call(
      'POST',
      '/v1/channels',
      {
        node_pubkey: Buffer.from(pubkey, 'hex').toString('base64'),
        local_funding_amount: String(o.capacitySat),
        push_sat: String(o.pushSat ?? 0),
        sat_per_vbyte: String(ONCHAIN_SAT_PER_VBYTE),
        private: o.private ?? false,
        ...(o.baseFeeMsat === undefined ? {} : { use_base_fee: true, base_fee: String(o.baseFeeMsat) }),
        ...(o.feeRatePpm === undefined ? {} : { use_fee_rate: true, fee_rate: String(o.feeRatePpm) }),
      },
      { retry: 'if-not-sent' },
    );
    const point = parseWire(channelPointSchema, answer, 'open channel');
    // funding_txid_bytes is the txid in internal (little-endian) byte order.
    const txid = Buffer.from(point.funding_txid_bytes, 'base64').reverse().toString('hex');
    return `${txid}:${point.output_index}`;
  }

  /** The channels, open or pending open, this node has with `pubkey`: their points and capacities. */
  async channelsWith(pubkey: string): Promise<{ channelPoint: string; capacitySat: number }[]> {
    const answer = await this.rest.call('GET', '/v1/channels/pending');
    const pending = parseWire(pendingOpenSchema, answer, 'pending channels');
    return [
      ...(await this.channels())
        .filter((c) => c.remote_pubkey === pubkey)
        .map((c) => ({ channelPoint: c.channel_point, capacitySat: c.capacity })),
      ...pending.pending_open_channels
        .filter((p) => p.channel.remote_node_pub === pubkey)
        .map((p) => ({ channelPoint: p.channel.channel_point, capacitySat: p.channel.capacity })),
    ];
  }

  async channels(): Promise<LndChannel[]> {
    return parseWire(lndChannelListSchema, await this.rest.call('GET', '/v1/channels'), 'list channels')
      .channels;
  }

  /**
   * This node's view of one channel, by channel point (GetChanInfo, LND 0.19+: read from its graph
   * database as it is now): undefined when the node does not know the channel.
   */
  async channelEdge(channelPoint: string): Promise<EdgeView | undefined> {
    try {
      // chan_id 0: LND looks the channel up by chan_point instead.
      const query = `chan_point=${encodeURIComponent(channelPoint)}`;
      const answer = await this.rest.call('GET', `/v1/graph/edge/0?${query}`);
      const e = parseWire(channelEdgeSchema, answer, 'channel edge');
      return {
        node1Pub: e.node1_pub,
        node2Pub: e.node2_pub,
        node1Policy: Boolean(e.node1_policy),
        node2Policy: Boolean(e.node2_policy),
      };
    } catch (err) {
      // LND 0.20 answers gRPC NotFound "edge not found" for a channel it does not know.
      if (err instanceof LndError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  /**
   * Channel points this node sees in its graph with both directions' policies known. LND caches
   * this answer (DescribeGraph) for a minute: to wait for gossip, ask `channelEdge`.
   */
  async graphChannelPoints(): Promise<Set<string>> {
    const answer = await this.rest.call('GET', '/v1/graph?include_unannounced=true');
    const { edges } = parseWire(graphSchema, answer, 'graph');
    return new Set(edges.filter((e) => e.node1_policy && e.node2_policy).map((e) => e.chan_point));
  }
}

/** GET /v1/graph/edge/{chan_id}: a channel's ends and each direction's policy (null until known). */
const channelEdgeSchema = z.object({
  node1_pub: z.string(),
  node2_pub: z.string(),
  node1_policy: z.object({}).nullish(),
  node2_policy: z.object({}).nullish(),
});

/**
 * Waits until an LND node we started is fully up: its tls.cert and
 * admin.macaroon exist (the wallet is created), are read as `LndNode.fromFiles`
 * reads them (a FIFO, a directory or a file over 64 KiB is
 * `LndError('bad_config')` naming it, at once), `/v1/state` says
 * SERVER_ACTIVE and it is synced to the chain. Once `signal` fires it
 * rejects at once with LabError('aborted'). An answer of another shape is
 * `LndError('bad_response')` at once, naming the node, the call and the
 * field: waiting would not mend it.
 */
export async function waitForLnd(
  files: LndFiles,
  deps: {
    clock: Clock;
    timeoutMs: number;
    isRunning?: () => boolean;
    describe?: () => Promise<string>;
    signal?: AbortSignal;
  },
): Promise<void> {
  const { clock, signal } = deps;
  const until = clock.now() + deps.timeoutMs;
  const check = async (what: string): Promise<void> => {
    if (deps.isRunning && !deps.isRunning()) {
      throw new LndError(
        'unreachable',
        `lnd at ${files.restUrl} exited while ${what}:\n${(await deps.describe?.()) ?? ''}`,
      );
    }
    if (clock.now() > until) {
      throw new LndError(
        'not_ready',
        `lnd at ${files.restUrl} not ready after ${deps.timeoutMs / 1000} s (${what}):\n${(await deps.describe?.()) ?? ''}`,
      );
    }
    await sleepUnlessAborted(clock, 250, signal, `lnd at ${files.restUrl} ${what}`);
  };
  for (;;) {
    throwIfAborted(signal, `lnd at ${files.restUrl} waiting for its files`);
    const ok = await Promise.all([access(files.tlsCertPath), access(files.macaroonPath)]).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await check('waiting for tls.cert and admin.macaroon');
  }
  // As LndNode.fromFiles reads them: regular files of at most 64 KiB, else bad_config naming the file.
  const connection = await readConnection(files);
  // Short retries here: this loop does the waiting.
  const rest = new LndRestClient(connection, { clock, retry: { maxWaitMs: 0 } });
  const admin = new LndAdmin(rest);
  try {
    for (;;) {
      throwIfAborted(signal, `lnd at ${files.restUrl} waiting for SERVER_ACTIVE`);
      try {
        const { state } = parseWire(stateSchema, await rest.call('GET', '/v1/state'), 'state');
        if (state === 'SERVER_ACTIVE' && (await admin.getInfo()).syncedToChain) return;
      } catch (err) {
        // Not listening yet, or RPC not up yet, is waited out; an answer of another shape will not mend.
        if (err instanceof LndError && err.code === 'bad_response') {
          throw new LndError('bad_response', `lnd at ${files.restUrl}: ${err.message}`, { cause: err });
        }
      }
      await check('waiting for SERVER_ACTIVE and synced_to_chain');
    }
  } finally {
    await rest.close();
  }
}
