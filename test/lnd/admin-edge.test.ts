/**
 * LndAdmin.channelEdge, what the bring-up's gossip wait asks each node: GetChanInfo by channel
 * point (`GET /v1/graph/edge/0?chan_point=…`, LND 0.19+), read from the node's graph as it is now,
 * not DescribeGraph (`/v1/graph`), whose answer LND caches for a minute. The answers are LND 0.20's
 * REST shapes: a policy is null until the node has that end's channel update; a channel the node
 * does not know is gRPC NotFound "edge not found".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LndAdmin } from '../../infra/regtest/lnd-admin.js';
import { answer, callError, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const POINT = `${'ab'.repeat(32)}:1`;
const HUB = '02'.padEnd(66, 'a');
const SELLER = '03'.padEnd(66, 'b');
const POLICY = { time_lock_delta: 80, min_htlc: '1000', fee_base_msat: '1000', fee_rate_milli_msat: '1' };

describe('LndAdmin.channelEdge', () => {
  it('asks GET /v1/graph/edge/0?chan_point=<point> and reads which ends’ policies the node has', async () => {
    peer = await startHostileLnd((_req, res) =>
      answer(res, 200, {
        channel_id: '127543348920321',
        chan_point: POINT,
        node1_pub: HUB,
        node2_pub: SELLER,
        capacity: '2000000',
        node1_policy: POLICY,
        node2_policy: null,
      }),
    );
    const admin = new LndAdmin(peer.node().rest);

    expect(await admin.channelEdge(POINT)).toEqual({
      node1Pub: HUB,
      node2Pub: SELLER,
      node1Policy: true,
      node2Policy: false,
    });
    expect(peer.requests).toEqual([`GET /v1/graph/edge/0?chan_point=${'ab'.repeat(32)}%3A1`]);
  });

  it('is undefined for a channel the node does not know (gRPC NotFound "edge not found")', async () => {
    peer = await startHostileLnd((_req, res) => callError(res, 5, 'edge not found'));
    expect(await new LndAdmin(peer.node().rest).channelEdge(POINT)).toBeUndefined();
  });
});
