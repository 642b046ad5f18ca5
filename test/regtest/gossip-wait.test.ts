/**
 * The bring-up's wait for gossip (infra/regtest/gossip-wait.ts): every node must know every public
 * channel with both policies. A timeout names each node and what it lacks, so a failed bring-up
 * says which node missed which channel or which end's policy. The nodes here are scripted views
 * of LND's GetChanInfo answer (the external service's edge); its REST shape is checked against an
 * LND-shaped peer in test/lnd/admin-edge.test.ts. The clock moves only when the wait sleeps.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../infra/time/clock.js';
import { waitChannelsGossiped, type EdgeView, type GossipNode } from '../../infra/regtest/gossip-wait.js';

const PUB = { hub: '02'.padEnd(66, 'a'), 'seller-1': '03'.padEnd(66, 'b'), 'buyer-2': '02'.padEnd(66, 'c') };
const names = new Map(Object.entries(PUB).map(([name, pub]) => [pub, name]));
const HUB_SELLER = { from: 'hub', to: 'seller-1', channelPoint: `${'1'.repeat(64)}:0` };
const BUYER_HUB = { from: 'buyer-2', to: 'hub', channelPoint: `${'2'.repeat(64)}:1` };

/** A clock that jumps ahead by each sleep; `slept` counts the sleeps. */
function steppingClock(): Clock & { slept: number } {
  let t = 0;
  const clock = {
    slept: 0,
    now: () => t,
    sleep: async (ms: number) => {
      clock.slept++;
      t += ms;
    },
    setTimer: () => () => {},
  };
  return clock;
}

const full = (a: string, b: string): EdgeView => ({
  node1Pub: a,
  node2Pub: b,
  node1Policy: true,
  node2Policy: true,
});

/** A node answering `views` by channel point (undefined: it does not know the channel). */
function node(name: string, views: Record<string, EdgeView | undefined>, asked: string[] = []): GossipNode {
  return {
    name,
    channelEdge: async (point) => {
      asked.push(point);
      return views[point];
    },
  };
}

describe('the wait for every node to learn every public channel', () => {
  it('times out after 120 s naming each node and what it lacks: the channel, or which end’s policy', async () => {
    const clock = steppingClock();
    const everything = {
      [HUB_SELLER.channelPoint]: full(PUB.hub, PUB['seller-1']),
      [BUYER_HUB.channelPoint]: full(PUB.hub, PUB['buyer-2']),
    };
    const nodes = [
      node('hub', everything),
      node('buyer-1', {
        ...everything,
        [HUB_SELLER.channelPoint]: { ...full(PUB.hub, PUB['seller-1']), node2Policy: false },
      }),
      node('seller-2', { ...everything, [BUYER_HUB.channelPoint]: undefined }),
      {
        name: 'buyer-2',
        channelEdge: async () => {
          throw new Error('LND https://127.0.0.1:8085 GET /v1/graph/edge/0: no answer');
        },
      },
    ];

    const err = await waitChannelsGossiped(nodes, [HUB_SELLER, BUYER_HUB], {
      clock,
      timeoutMs: 120_000,
      names,
    }).catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bootstrap_failed',
      message:
        'timed out after 120 s waiting for every node to learn every public channel; still missing:\n' +
        `  buyer-1: channel hub→seller-1 ${HUB_SELLER.channelPoint} known without seller-1's policy\n` +
        `  seller-2: channel buyer-2→hub ${BUYER_HUB.channelPoint} unknown (no announcement reached it)\n` +
        `  buyer-2: channel hub→seller-1 ${HUB_SELLER.channelPoint} could not be asked ` +
        '(Error: LND https://127.0.0.1:8085 GET /v1/graph/edge/0: no answer)\n' +
        `  buyer-2: channel buyer-2→hub ${BUYER_HUB.channelPoint} could not be asked ` +
        '(Error: LND https://127.0.0.1:8085 GET /v1/graph/edge/0: no answer)\n' +
        "A node learns another's channel updates only from a peer it has an active gossip syncer with " +
        '(lnd log lines starting DISC). Take the network down and bring it up again; if the same node ' +
        'misses the same policy again, send its lnd log along with this message.',
    });
    expect(clock.now()).toBe(120_250); // polled every 250 ms until past the deadline
  });

  it('names both ends when a node knows a channel without either policy', async () => {
    const bare = { node1Pub: PUB.hub, node2Pub: PUB['seller-1'], node1Policy: false, node2Policy: false };
    const err = await waitChannelsGossiped(
      [node('buyer-1', { [HUB_SELLER.channelPoint]: bare })],
      [HUB_SELLER],
      {
        clock: steppingClock(),
        timeoutMs: 1_000,
        names,
      },
    ).catch((e: unknown) => (e as Error).message);

    expect(err).toContain(
      `buyer-1: channel hub→seller-1 ${HUB_SELLER.channelPoint} known without hub's and seller-1's policy\n`,
    );
  });

  it('returns at the poll where the last node has the last policy, having asked each node by channel point', async () => {
    const clock = steppingClock();
    const asked: string[] = [];
    const view: Record<string, EdgeView | undefined> = { [HUB_SELLER.channelPoint]: undefined };
    const late = node('buyer-1', view, asked);
    const polls = clock.sleep;
    clock.sleep = async (ms) => {
      await polls(ms);
      if (clock.slept === 3) view[HUB_SELLER.channelPoint] = full(PUB.hub, PUB['seller-1']);
    };

    await waitChannelsGossiped([late], [HUB_SELLER], { clock, timeoutMs: 120_000, names });

    expect([clock.slept, asked]).toEqual([3, Array(4).fill(HUB_SELLER.channelPoint)]);
  });
});
