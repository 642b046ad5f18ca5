import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { fixedLatency, fromJson, hubAndSpoke, ring, scaleFree } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';
import { LabError } from '../../infra/errors.js';

const CAP = 1_000_000_000;

describe('hubAndSpoke', () => {
  it('meshes the hubs, hangs each spoke on one hub, and lets spokes pay each other through the hubs', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(5) });
    const t = hubAndSpoke(net, { hubs: 3, spokes: 9, capacityMsat: CAP });
    expect(t.hubs).toHaveLength(3);
    expect(t.spokes).toHaveLength(9);
    expect(t.channels).toHaveLength(3 + 9);
    expect(t.channels.map((c) => c.balance)).toEqual(Array.from({ length: 12 }, () => [CAP / 2, CAP / 2]));
    // spoke-0 hangs on hub-0, spoke-1 on hub-1: three channels, two forwarding hubs.
    const inv = await t.spokes[1]!.createInvoice({ amountMsat: 1_000_000 });
    const p = await settle(clock, t.spokes[0]!.pay(inv.paymentRequest));
    expect(p).toMatchObject({ status: 'succeeded', hops: 3 });
  });
});

describe('ring', () => {
  it('connects each node to the next, so the far side of the ring is several hops away', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(5) });
    const { nodes, channels } = ring(net, { size: 8, capacityMsat: CAP });
    expect(channels).toHaveLength(8);
    const inv = await nodes[4]!.createInvoice({ amountMsat: 1_000_000 });
    const p = await settle(clock, nodes[0]!.pay(inv.paymentRequest, { maxFeeMsat: 100_000 }));
    expect(p).toMatchObject({ status: 'succeeded', hops: 4 });
  });
});

describe('scaleFree', () => {
  it('grows m = 2 channels per new node, with a few heavily connected hubs: degree min 2, median 3, max 70 (seed "ba")', () => {
    const { net } = makeNet();
    const { nodes, channels } = scaleFree(net, { size: 500, m: 2, rng: createRng('ba'), capacityMsat: CAP });
    expect(nodes).toHaveLength(500);
    expect(channels).toHaveLength(3 + (500 - 3) * 2);
    const degrees = nodes.map((n) => net.graph.outEdges[n.index]!.length).sort((a, b) => a - b);
    expect([degrees[0], degrees[250], degrees[499]]).toEqual([2, 3, 70]);
    expect(degrees.slice(-10)).toEqual([19, 21, 21, 22, 23, 25, 31, 33, 40, 70]);
    // The shape of the public graph: nobody below m, a hub far above the median.
    expect(degrees[499]).toBeGreaterThan(10 * degrees[250]!);
  });

  it('builds the same graph from the same seed, and draws capacities from the given function (all ten of 1-10M msat)', () => {
    const build = (seed: string) => {
      const { net } = makeNet();
      const t = scaleFree(net, {
        size: 100,
        rng: createRng(seed),
        capacityMsat: (r) => (1 + r.int(10)) * 1_000_000,
      });
      return t.channels.map((c) => [c.nodes[0], c.nodes[1], c.capacityMsat]);
    };
    expect(build('x')).toEqual(build('x'));
    expect(build('x')).not.toEqual(build('y'));
    expect(build('x').slice(0, 5)).toEqual([
      [0, 1, 3_000_000],
      [0, 2, 1_000_000],
      [1, 2, 9_000_000],
      [3, 0, 1_000_000],
      [3, 2, 7_000_000],
    ]);
    const capacities = [...new Set(build('x').map((c) => c[2]))].sort((a, b) => a! - b!);
    expect(capacities).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 1_000_000));
  });

  it('refuses a size too small for m', () => {
    const { net } = makeNet();
    expect(() => scaleFree(net, { size: 2, m: 2, rng: createRng(1), capacityMsat: CAP })).toThrow(LabError);
  });
});

const pk = (n: number) => `02${String(n).padStart(64, '0')}`;
const side = (n: number, extra: Record<string, unknown> = {}) => ({
  pubkey: pk(n),
  alias: `n${n}`,
  max_htlc_count: 483,
  max_in_flight_msat: CAP,
  min_htlc_size_msat: 1,
  max_htlc_size_msat: CAP,
  cltv_expiry_delta: 40,
  base_fee: 0,
  fee_rate_prop: 0,
  ...extra,
});

describe('fromJson (SimLN sim_network)', () => {
  it("builds the channels with each side's own policy, balanced", async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(5) });
    const json = {
      sim_network: [
        {
          scid: 1,
          capacity_msat: CAP,
          node_1: side(1),
          node_2: side(2, { base_fee: 7_000, fee_rate_prop: 1_000 }),
        },
        {
          scid: 2,
          capacity_msat: CAP,
          node_1: side(2, { base_fee: 1_000, fee_rate_prop: 10 }),
          node_2: side(3),
        },
      ],
    };
    const t = fromJson(net, JSON.stringify(json));
    expect(t.nodes.map((n) => n.alias)).toEqual(['n1', 'n2', 'n3']);
    expect(t.channels[0]!.balance).toEqual([CAP / 2, CAP / 2]);
    // n1 → n3 crosses n2, which charges its node_1 policy on channel 2: 1000 + 10 ppm.
    const inv = await t.byJsonPubkey.get(pk(3))!.createInvoice({ amountMsat: 2_000_000 });
    const p = await settle(clock, t.byJsonPubkey.get(pk(1))!.pay(inv.paymentRequest));
    expect(p).toMatchObject({ status: 'succeeded', feeMsat: 1_000 + 20 });
    // The other way, n2 charges its channel-1 side policy: 7000 + 1000 ppm.
    const back = await t.byJsonPubkey.get(pk(1))!.createInvoice({ amountMsat: 2_000_000 });
    const q = await settle(
      clock,
      t.byJsonPubkey.get(pk(3))!.pay(back.paymentRequest, { maxFeeMsat: 100_000 }),
    );
    expect(q).toMatchObject({ status: 'succeeded', feeMsat: 7_000 + 2_000 });
  });

  const broken: [string, unknown, string][] = [
    ['text that is not JSON', '{"sim_network": [', 'not valid JSON'],
    ['no sim_network', { channels: [] }, 'sim_network must be an array'],
    [
      'a missing capacity',
      { sim_network: [{ node_1: side(1), node_2: side(2) }] },
      'sim_network[0].capacity_msat',
    ],
    [
      'a fractional capacity',
      { sim_network: [{ capacity_msat: 1.5, node_1: side(1), node_2: side(2) }] },
      'sim_network[0].capacity_msat',
    ],
    [
      'a missing node_2',
      { sim_network: [{ capacity_msat: CAP, node_1: side(1) }] },
      'sim_network[0].node_2 must be an object',
    ],
    [
      'a node without pubkey',
      { sim_network: [{ capacity_msat: CAP, node_1: side(1), node_2: { alias: 'x' } }] },
      'sim_network[0].node_2.pubkey',
    ],
    [
      'a negative base fee',
      { sim_network: [{ capacity_msat: CAP, node_1: side(1), node_2: side(2, { base_fee: -1 }) }] },
      'sim_network[0].node_2.base_fee',
    ],
    [
      'a fee rate given as text',
      { sim_network: [{ capacity_msat: CAP, node_1: side(1, { fee_rate_prop: '5' }), node_2: side(2) }] },
      'sim_network[0].node_1.fee_rate_prop',
    ],
    [
      'a channel to itself',
      { sim_network: [{ capacity_msat: CAP, node_1: side(1), node_2: side(1) }] },
      'sim_network[0].node_2.pubkey',
    ],
    [
      'a repeated scid',
      { sim_network: [1, 1].map((scid) => ({ scid, capacity_msat: CAP, node_1: side(1), node_2: side(2) })) },
      'sim_network[1].scid',
    ],
    [
      'min above max HTLC',
      {
        sim_network: [
          {
            capacity_msat: CAP,
            node_1: side(1, { min_htlc_size_msat: 10, max_htlc_size_msat: 5 }),
            node_2: side(2),
          },
        ],
      },
      'sim_network[0].node_1.min_htlc_size_msat',
    ],
  ];
  for (const [name, json, field] of broken) {
    it(`refuses ${name}, naming ${field}`, () => {
      const { net } = makeNet();
      let err: unknown;
      try {
        fromJson(net, json);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('invalid_topology');
      expect((err as LabError).message).toContain(field);
      expect(net.nodes).toHaveLength(0); // validated before anything is built
    });
  }
});

describe("fromJson: a channel's own minimum HTLC", () => {
  /** One channel of `capacity_msat` between n1 and n2, each side with `extra`. */
  const one = (capacity_msat: number, extra: Record<string, unknown>) => ({
    sim_network: [{ capacity_msat, node_1: side(1, extra), node_2: side(2, extra) }],
  });
  const refusal = (json: unknown) => {
    const { net } = makeNet();
    try {
      fromJson(net, json);
    } catch (e) {
      return { code: (e as LabError).code, message: (e as LabError).message, nodes: net.nodes.length };
    }
    return undefined;
  };

  it('opens a 500-msat channel whose sides set min_htlc_size_msat 100 at that minimum on both sides', () => {
    const { net } = makeNet();
    const [ch] = fromJson(net, one(500, { min_htlc_size_msat: 100, max_htlc_size_msat: 400 })).channels;
    expect(ch!.policy.map((p) => [p.minHtlcMsat, p.maxHtlcMsat])).toEqual([
      [100, 400],
      [100, 400],
    ]);
  });

  it("opens a 500-msat channel with each side's own policy, node_2's unset fields at the defaults", () => {
    const { net } = makeNet();
    const json = {
      sim_network: [
        {
          capacity_msat: 500,
          node_1: {
            pubkey: pk(1),
            alias: 'n1',
            min_htlc_size_msat: 100,
            base_fee: 3,
            fee_rate_prop: 4,
            cltv_expiry_delta: 5,
          },
          node_2: { pubkey: pk(2), alias: 'n2', min_htlc_size_msat: 200 },
        },
      ],
    };
    const [ch] = fromJson(net, json).channels;
    expect(ch!.policy).toEqual([
      { baseFeeMsat: 3, feeRatePpm: 4, cltvDelta: 5, minHtlcMsat: 100, maxHtlcMsat: 500 },
      { baseFeeMsat: 1000, feeRatePpm: 1, cltvDelta: 80, minHtlcMsat: 200, maxHtlcMsat: 500 },
    ]);
  });

  it('refuses a channel below its own minimum before building anything, even with max_htlc_size_msat above it', () => {
    expect(refusal(one(1500, { min_htlc_size_msat: 2000, max_htlc_size_msat: CAP }))).toEqual({
      code: 'invalid_topology',
      message:
        'sim_network[0].capacity_msat must be at least 2000 msat (one minimum HTLC of node_1, its min_htlc_size_msat), got 1500',
      nodes: 0,
    });
  });

  it('refuses a max_htlc_size_msat below the default minimum on a side that sets no min_htlc_size_msat', () => {
    const json = one(CAP, {});
    json.sim_network[0]!.node_2 = { pubkey: pk(2), max_htlc_size_msat: 500 } as never;
    expect(refusal(json)).toEqual({
      code: 'invalid_topology',
      message:
        'sim_network[0].node_2.max_htlc_size_msat is below the default minimum HTLC 1000: set min_htlc_size_msat',
      nodes: 0,
    });
  });
});
