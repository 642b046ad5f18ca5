/**
 * Route searches shared by payers on a big graph (router.ts): a payer that
 * is a dead end on one router and has no record changing a channel the
 * search read before reaching that router gets its route read off one
 * search per payee and amount, taken further as payers need it. Every route must be
 * the one the payer's own search finds, ties included: the routers below
 * are pinned against a router that never shares (sharedSlots 0) on a
 * seeded scale-free graph whose channels are all alike, so equal-cost
 * routes abound. The work counts pin how much searching each did.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import {
  MissionControl,
  Router,
  scaleFree,
  type Route,
  type RouterOptions,
} from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';

const PAYERS = 300;
const PAYEES = 10;

/** 2,000 routers (Barabási–Albert, m = 2, alike channels), 300 payers and 10 payees on one router each, seeded. */
function market() {
  const rng = createRng('shared-routes');
  const { net } = makeNet();
  const fees = { baseFeeMsat: 100, feeRatePpm: 1000 };
  const routers = scaleFree(net, {
    size: 2000,
    m: 2,
    rng: rng.fork('graph'),
    capacityMsat: 10_000_000_000,
    ...fees,
  }).nodes;
  const pick = rng.fork('attach');
  const payers = Array.from({ length: PAYERS }, (_, i) => {
    const payer = net.addNode({ alias: `payer-${i}` });
    net.openChannel(payer, routers[pick.int(routers.length)]!, {
      capacityMsat: 100_000_000,
      reserveMsat: 0,
      ...fees,
    });
    return payer.index;
  });
  const payees = Array.from({ length: PAYEES }, (_, i) => {
    const payee = net.addNode({ alias: `payee-${i}` });
    net.openChannel(routers[pick.int(routers.length)]!, payee, { capacityMsat: 10_000_000_000, ...fees });
    return payee.index;
  });
  const online = new Array<boolean>(net.graph.nodeCount).fill(true);
  const mcs = payers.map(() => new MissionControl());
  /** Payer i pays payee i mod 10 one of three amounts (30 shared searches in all). */
  const query = (router: Router, i: number) =>
    router.findRoute({
      source: payers[i]!,
      target: payees[i % PAYEES]!,
      amountMsat: 2000 + (i % 3) * 1000,
      maxFeeMsat: 1000,
      finalCltv: 40,
      now: 0,
      kind: 'lnd',
      mc: mcs[i]!,
      online,
    });
  const routeAll = (opts?: RouterOptions) => {
    const router = new Router(net.graph, opts);
    return { router, routes: payers.map((_, i) => query(router, i)) };
  };
  return { net, payees, mcs, query, routeAll };
}

const scids = (net: ReturnType<typeof market>['net'], r: Route | undefined) =>
  r?.edges.map((e) => net.graph.channels[e >> 1]!.scid);
const digest = (routes: (Route | undefined)[]) =>
  createHash('sha256').update(JSON.stringify(routes)).digest('hex');

describe('route searches shared by payers, on a seeded scale-free graph of 2,000 routers', () => {
  it('300 payers with no records: every route read off 30 shared searches is the one its own search finds, settling 56,098 nodes instead of 314,167', () => {
    const m = market();
    const own = m.routeAll({ sharedSlots: 0 });
    const shared = m.routeAll();
    expect(shared.routes).toEqual(own.routes);
    expect(own.router.work).toEqual({ ownSearches: 300, sharedRoutes: 0, settled: 314_167 });
    expect(shared.router.work).toEqual({ ownSearches: 0, sharedRoutes: 300, settled: 56_098 });
    expect(digest(shared.routes)).toBe('b431d4d382a7de8160a5bfcdcc24fe4bd1c930eba5846d553bf257ec83f7d02b');
    expect(scids(m.net, shared.routes[0])).toEqual([
      '4097x1x0',
      '3201x1x0',
      '181x1x0',
      '102x1x0',
      '2387x1x0',
      '4397x1x0',
    ]);
    expect(shared.routes[0]).toMatchObject({ amounts: [2510, 2408, 2306, 2204, 2102, 2000], cltvTotal: 440 });
  });

  it('a payer whose record changes a channel the shared search read before reaching its router searches on its own; a record never read changes nothing', () => {
    const m = market();
    const own = m.routeAll({ sharedSlots: 0 }).routes;
    const router = new Router(m.net.graph);
    // Payer 0 once paid payee 0 through its last channel: read first of all, now more likely.
    m.mcs[0]!.recordSuccess(m.net.graph.inEdges[m.payees[0]!]![0]!, 2000);
    // Payer 1 once failed to be paid back over its own channel (its router's side): a search never reads that edge.
    m.mcs[1]!.recordFailure(own[1]!.edges[0]! ^ 1, 1000, 0);
    const routes = [m.query(router, 0), m.query(router, 1)];
    expect(router.work).toEqual({ ownSearches: 1, sharedRoutes: 1, settled: 4324 });
    expect(routes).toEqual(m.routeAll({ sharedSlots: 0 }).routes.slice(0, 2));
  });

  it('a policy change drops the shared searches: the next route avoids the dearer channel as a router that never shares does, from a new search of 1,503 nodes', () => {
    const m = market();
    const router = m.routeAll().router;
    const before = m.query(router, 0)!;
    // The third hop's sender raises its base fee from 100 msat to 5 sat: past the whole fee limit.
    const e = before.edges[2]!;
    m.net.setPolicy(m.net.graph.channels[e >> 1]!, m.net.nodes[m.net.graph.from(e)]!, { baseFeeMsat: 5000 });
    const after = m.query(router, 0)!;
    expect(after.edges).not.toContain(e);
    expect(after).toEqual(m.routeAll({ sharedSlots: 0 }).routes[0]);
    expect(scids(m.net, after)).toEqual([
      '4097x1x0',
      '3201x1x0',
      '182x1x0',
      '128x1x0',
      '2387x1x0',
      '4397x1x0',
    ]);
    expect(router.work).toEqual({ ownSearches: 0, sharedRoutes: 302, settled: 57_601 });
  });

  it('with room for 2 shared searches of the 30, the least recently used go: the same routes, settling 308,417 nodes', () => {
    const m = market();
    const own = m.routeAll({ sharedSlots: 0 }).routes;
    const tight = m.routeAll({ sharedSlots: 2 * m.net.graph.nodeCount });
    expect(tight.routes).toEqual(own);
    expect(tight.router.work).toEqual({ ownSearches: 0, sharedRoutes: 300, settled: 308_417 });
  });
});
