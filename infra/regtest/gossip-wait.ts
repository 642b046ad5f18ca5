/**
 * The bring-up's last wait before its probe payments: every node knows every
 * public channel with both directions' policies, so it can route over them.
 *
 * Each node is asked about each channel by its channel point
 * (`GET /v1/graph/edge/0?chan_point=…`, GetChanInfo, read from the node's
 * graph database). Not `GET /v1/graph`: LND caches DescribeGraph's answer for a
 * minute (`--caches.rpc-graph-cache-duration`, default 1m), so a first poll
 * made before gossip finished would hide the channels for up to a minute, and
 * two such minutes were all a 120 s wait saw. A timeout names each node and
 * what it lacks: the channel, or one end's policy.
 */
import type { Clock } from '../time/clock.js';
import { LabError } from '../errors.js';
import { sleepUnlessAborted, throwIfAborted } from './abort.js';

/** A public channel every node must learn: its ends' names and its point. */
export interface GossipedChannel {
  from: string;
  to: string;
  channelPoint: string;
}

/** A node's view of one channel: its ends' pubkeys and which policies it has. */
export interface EdgeView {
  node1Pub: string;
  node2Pub: string;
  node1Policy: boolean;
  node2Policy: boolean;
}

/** A node the wait asks: `channelEdge` is undefined when the node does not know the channel. */
export interface GossipNode {
  name: string;
  channelEdge(channelPoint: string): Promise<EdgeView | undefined>;
}

/** How long to wait and on what; `names` gives each pubkey's node name, for the message. */
export interface GossipWaitDeps {
  clock: Clock;
  timeoutMs: number;
  names: ReadonlyMap<string, string>;
  signal?: AbortSignal;
}

const POLL_MS = 250;
const WHAT = 'every node to learn every public channel';

/**
 * Polls every node about every channel until each knows each with both
 * policies. After `timeoutMs` it throws LabError('bootstrap_failed') naming
 * every node still missing something and what; once `signal` fires it
 * rejects with LabError('aborted').
 */
export async function waitChannelsGossiped(
  nodes: readonly GossipNode[],
  channels: readonly GossipedChannel[],
  deps: GossipWaitDeps,
): Promise<void> {
  const until = deps.clock.now() + deps.timeoutMs;
  for (;;) {
    throwIfAborted(deps.signal, `waiting for ${WHAT}`);
    const gaps = await missing(nodes, channels, deps.names);
    if (gaps.length === 0) return;
    if (deps.clock.now() > until) throw timedOut(deps.timeoutMs, gaps);
    await sleepUnlessAborted(deps.clock, POLL_MS, deps.signal, `waiting for ${WHAT}`);
  }
}

/** What each node lacks, one line per node and channel; empty when every node has everything. */
async function missing(
  nodes: readonly GossipNode[],
  channels: readonly GossipedChannel[],
  names: ReadonlyMap<string, string>,
): Promise<string[]> {
  const gaps: string[] = [];
  for (const node of nodes) {
    for (const c of channels) {
      const channel = `channel ${c.from}→${c.to} ${c.channelPoint}`;
      let lack: string | undefined;
      try {
        lack = lacking(await node.channelEdge(c.channelPoint), names);
      } catch (err) {
        lack = `could not be asked (${String(err)})`;
      }
      if (lack) gaps.push(`${node.name}: ${channel} ${lack}`);
    }
  }
  return gaps;
}

/** Why a node's view of a channel is not enough to route over it; undefined when it is. */
function lacking(view: EdgeView | undefined, names: ReadonlyMap<string, string>): string | undefined {
  if (!view) return 'unknown (no announcement reached it)';
  const without = [
    ...(view.node1Policy ? [] : [view.node1Pub]),
    ...(view.node2Policy ? [] : [view.node2Pub]),
  ].map((pub) => names.get(pub) ?? pub);
  return without.length === 0 ? undefined : `known without ${without.join("'s and ")}'s policy`;
}

function timedOut(timeoutMs: number, gaps: readonly string[]): LabError<'bootstrap_failed'> {
  return new LabError(
    'bootstrap_failed',
    `timed out after ${timeoutMs / 1000} s waiting for ${WHAT}; still missing:\n  ${gaps.join('\n  ')}\n` +
      "A node learns another's channel updates only from a peer it has an active gossip syncer with " +
      '(lnd log lines starting DISC). Take the network down and bring it up again; if the same node misses ' +
      'the same policy again, send its lnd log along with this message.',
  );
}
