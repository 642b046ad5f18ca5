import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { LndNode, type LndFiles } from '../lightning/lnd/index.js';
import type { Chain } from './chain.js';
import { COINBASE_MATURITY, type Faucet, type FundingOutput } from './faucet.js';
import { openChannelOnce, payOnce } from './bring-up-steps.js';
import { LndAdmin } from './lnd-admin.js';
import { waitChannelsGossiped } from './gossip-wait.js';
import type { NodeRole } from './network-file.js';
import type { Topology } from './topology.js';
import { LabError } from '../errors.js';
import { retry, waitFor } from './wait.js';
import { throwIfAborted } from './abort.js';

/** A started, ready LND node the bootstrap will wire up. */
export interface BootNode {
  name: string;
  role: NodeRole;
  files: LndFiles;
  /** host:port the *other nodes* dial (docker: the service name inside the compose network). */
  peerHost: string;
}

export interface BootstrapDeps {
  clock: Clock;
  logger: Logger;
  chain: Chain;
  faucet: Faucet;
  /** Once it fires, every wait and retry gives up (LabError('aborted')). */
  signal?: AbortSignal;
}

export interface BootstrapResult {
  pubkeys: Map<string, string>;
  channels: Array<{ from: string; to: string; capacitySat: number; channelPoint: string }>;
}

/** Extra on-chain sat per channel output, for the funding tx fee and the anchor reserve. */
const OPEN_MARGIN_SAT = 50_000;
/** A spare output per node: lnd keeps a reserve for anchor channels, and later tests may open more. */
const SPARE_SAT = 1_000_000;

/**
 * Mines until the faucet's coinbases are spendable: past coinbase maturity
 * and, on btcd, past segwit activation (BIP9, around height 432).
 */
export async function prepareChain(chain: Chain, log: Logger, signal?: AbortSignal): Promise<void> {
  let height = await chain.height();
  const target = chain.backend === 'btcd' ? 432 + 10 : COINBASE_MATURITY + 10;
  if (height < target) {
    throwIfAborted(signal, 'mining past coinbase maturity');
    await chain.mine(target - height);
    height = target;
  }
  for (let extra = 0; !(await chain.segwitActive()); extra++) {
    throwIfAborted(signal, 'mining to segwit activation');
    if (extra > 5) throw new LabError('bootstrap_failed', `segwit still not active at height ${height}`);
    await chain.mine(144);
    height += 144;
  }
  log.info({ height }, 'chain ready: segwit active, coinbases mature');
}

/** What every bootstrap step works with: the topology, its nodes, their LND clients, the chain and faucet. */
interface Boot {
  topology: Topology;
  nodes: readonly BootNode[];
  lnd: Map<string, LndNode>;
  admin(name: string): LndAdmin;
  clock: Clock;
  log: Logger;
  chain: Chain;
  faucet: Faucet;
  signal: AbortSignal | undefined;
}

/**
 * Wires nodes into `topology` (shared by the native and docker drivers):
 * funds every node in ONE faucet transaction, connects peers, opens the
 * channels, mines 6 blocks, waits until every channel is active and known to
 * every node's graph, then runs the probe payments.
 */
export async function bootstrap(
  topology: Topology,
  nodes: readonly BootNode[],
  deps: BootstrapDeps,
): Promise<BootstrapResult> {
  const { clock, logger: log, chain, faucet, signal } = deps;
  const lnd = new Map<string, LndNode>();
  for (const n of nodes) lnd.set(n.name, await LndNode.fromFiles(n.files, { clock, logger: log }));
  const admin = (name: string): LndAdmin => new LndAdmin(lnd.get(name)!.rest);
  const boot: Boot = { topology, nodes, lnd, admin, clock, log, chain, faucet, signal };
  try {
    const pubkeys = new Map<string, string>();
    for (const n of nodes) pubkeys.set(n.name, (await lnd.get(n.name)!.info()).pubkey);
    await fundNodes(boot);
    const channels = await openChannels(boot, pubkeys);
    // Six confirmations: channels open and (public ones) get announced.
    await chain.mine(6);
    await waitChannelsReady(boot, channels, pubkeys);
    await payProbes(boot);
    return { pubkeys, channels };
  } finally {
    await Promise.all([...lnd.values()].map((n) => n.close()));
  }
}

/** Funds every node in one transaction: one output per channel it opens, plus a spare; waits until the wallets see it. */
async function fundNodes({ topology, nodes, admin, clock, log, chain, faucet, signal }: Boot): Promise<void> {
  const outputs: FundingOutput[] = [];
  const expected = new Map<string, number>();
  for (const n of nodes) {
    const amounts = [
      ...topology.channels.filter((c) => c.from === n.name).map((c) => c.capacitySat + OPEN_MARGIN_SAT),
      SPARE_SAT,
    ];
    for (const valueSat of amounts) outputs.push({ address: await admin(n.name).newAddress(), valueSat });
    expected.set(
      n.name,
      amounts.reduce((a, b) => a + b, 0),
    );
  }
  throwIfAborted(signal, 'funding the nodes');
  const txid = await faucet.fund(chain, outputs);
  await chain.mine(1);
  log.info({ txid, outputs: outputs.length }, 'funded every node in one transaction');
  await waitFor(
    clock,
    60_000,
    'wallets to see the funding',
    async () => {
      for (const [name, sat] of expected) if ((await admin(name).confirmedBalanceSat()) < sat) return false;
      return true;
    },
    signal,
  );
}

/** Connects peers and opens the channels: each opener one channel at a time, different openers in parallel. */
async function openChannels(
  { topology, nodes, admin, clock, log, signal }: Boot,
  pubkeys: Map<string, string>,
): Promise<BootstrapResult['channels']> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const openers = [...new Set(topology.channels.map((c) => c.from))];
  const channels: BootstrapResult['channels'] = [];
  await Promise.all(
    openers.map(async (from) => {
      for (const c of topology.channels.filter((x) => x.from === from)) {
        const to = byName.get(c.to)!;
        throwIfAborted(signal, `connecting ${from} to ${c.to}`);
        await admin(from).connectPeer(pubkeys.get(c.to)!, to.peerHost);
        const options = {
          capacitySat: c.capacitySat,
          pushSat: c.pushSat,
          private: c.private,
          baseFeeMsat: topology.fees.baseMsat,
          feeRatePpm: topology.fees.ratePpm,
        };
        const what = `open ${from}→${c.to}`;
        const channelPoint = await openChannelOnce(admin(from), pubkeys.get(c.to)!, options, {
          clock,
          what,
          signal,
        });
        channels.push({ from, to: c.to, capacitySat: c.capacitySat, channelPoint });
        log.info({ from, to: c.to, channelPoint }, 'channel opening');
      }
    }),
  );
  return channels;
}

/**
 * Waits until every channel is active at both ends and every public one is in every node's graph
 * with both policies (gossip-wait.ts: a timeout names each node and what it lacks).
 */
async function waitChannelsReady(
  { topology, nodes, admin, clock, log, signal }: Boot,
  channels: BootstrapResult['channels'],
  pubkeys: Map<string, string>,
): Promise<void> {
  await waitFor(
    clock,
    90_000,
    'every channel active at both ends',
    async () => {
      for (const c of channels) {
        for (const end of [c.from, c.to]) {
          const list = await admin(end).channels();
          if (!list.some((x) => x.channel_point === c.channelPoint && x.active)) return false;
        }
      }
      return true;
    },
    signal,
  );
  const publicChannels = channels.filter(
    (c) => !topology.channels.find((t) => t.from === c.from && t.to === c.to)?.private,
  );
  const names = new Map([...pubkeys].map(([name, pubkey]) => [pubkey, name]));
  await waitChannelsGossiped(
    nodes.map((n) => ({ name: n.name, channelEdge: (point) => admin(n.name).channelEdge(point) })),
    publicChannels,
    { clock, timeoutMs: 120_000, names, signal },
  );
  log.info({ channels: channels.length }, 'channels active and gossiped');
}

/** The network is up only when real payments cross it: pays every probe, then waits until no HTLC is in flight. */
async function payProbes({ topology, lnd, clock, log, signal }: Boot): Promise<void> {
  for (const p of topology.probes) {
    const what = `probe ${p.from}→${p.to}`;
    // One invoice per probe, whatever the retries: the payee is paid once.
    const invoice = await retry(
      clock,
      20,
      `${what}: invoice`,
      () => lnd.get(p.to)!.createInvoice({ amountMsat: p.amountMsat, memo: what }),
      signal,
    );
    const payment = await payOnce(lnd.get(p.from)!, invoice, { clock, what, signal });
    log.info({ from: p.from, to: p.to, hops: payment.hops, feeMsat: payment.feeMsat }, 'probe paid');
  }
  // A payer learns of success before every hop has finished its commitment dance: let it finish.
  await waitFor(
    clock,
    30_000,
    'no HTLC left in flight',
    async () => {
      for (const node of lnd.values()) {
        const b = await node.balances();
        if (b.pendingInMsat + b.pendingOutMsat > 0) return false;
      }
      return true;
    },
    signal,
  );
}
