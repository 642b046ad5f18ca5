/**
 * `new SimNetwork({ sharedSlots })`: the node slots the route searches shared
 * by payers may hold (`RouterOptions.sharedSlots`) reach the network's own
 * router. On the seeded 2,000-router graph of shared-routes.test.ts, paid
 * over by 300 payers, room for 2 shared searches of the 30 makes the
 * router settle more nodes (the least recently used searches go), and every
 * payment takes the same route as with the default budget.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { LabError } from '../../infra/errors.js';
import { scaleFree, type SimNetworkOptions } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

const PAYERS = 300;
const PAYEES = 10;
const ROUTERS = 2000;

/** The shared-routes graph on a network made with `opts`; each payer pays payee i mod 10 one of three amounts. */
async function payAll(opts: Partial<SimNetworkOptions>) {
  const rng = createRng('shared-routes');
  const { clock, net } = makeNet({ signInvoices: false, ...opts });
  const fees = { baseFeeMsat: 100, feeRatePpm: 1000 };
  const routers = scaleFree(net, {
    size: ROUTERS,
    m: 2,
    rng: rng.fork('graph'),
    capacityMsat: 10_000_000_000,
    ...fees,
  }).nodes;
  const pick = rng.fork('attach');
  const payers = Array.from({ length: PAYERS }, (_, i) => {
    const payer = net.addNode({ alias: `payer-${i}` });
    const to = routers[pick.int(routers.length)]!;
    net.openChannel(payer, to, { capacityMsat: 100_000_000, reserveMsat: 0, ...fees });
    return payer;
  });
  const payees = Array.from({ length: PAYEES }, (_, i) => {
    const payee = net.addNode({ alias: `payee-${i}` });
    net.openChannel(routers[pick.int(routers.length)]!, payee, { capacityMsat: 10_000_000_000, ...fees });
    return payee;
  });
  // One payment at a time: its route is the channels whose balances it moved (listed in opening order).
  const routes: string[][] = [];
  const paid: [string, number, number, number][] = [];
  for (const [i, payer] of payers.entries()) {
    const before = net.graph.channels.map((c) => c.balance[0]);
    const inv = await payees[i % PAYEES]!.createInvoice({ amountMsat: 2000 + (i % 3) * 1000 });
    const p = await settle(clock, payer.pay(inv.paymentRequest, { maxFeeMsat: 1000 }));
    paid.push([p.status, p.hops, p.feeMsat, p.attempts]);
    routes.push(net.graph.channels.filter((c) => c.balance[0] !== before[c.id]).map((c) => c.scid));
  }
  const digest = createHash('sha256').update(JSON.stringify(routes)).digest('hex');
  return { routes, paid, digest, work: { ...net.router.work } };
}

describe('SimNetwork sharedSlots', () => {
  it('reaches the router: room for 2 shared searches settles 308,417 nodes instead of 56,098, and every payment takes the same route', async () => {
    const roomy = await payAll({});
    const nodeCount = ROUTERS + PAYERS + PAYEES;
    const tight = await payAll({ sharedSlots: 2 * nodeCount });
    expect(roomy.work).toEqual({ ownSearches: 0, sharedRoutes: 300, settled: 56_098 });
    expect(tight.work).toEqual({ ownSearches: 0, sharedRoutes: 300, settled: 308_417 });
    expect(tight.routes).toEqual(roomy.routes);
    expect(tight.paid).toEqual(roomy.paid);
    expect(tight.digest).toBe('68ff1da48d2bdacefdff593c6ccdfce43fcc6b82218be02d283b0b0c8c1d03e2');
    // Payer 0's route, as the router alone finds it in shared-routes.test.ts (here in opening order).
    expect(tight.routes[0]).toEqual(['102x1x0', '181x1x0', '2387x1x0', '3201x1x0', '4097x1x0', '4397x1x0']);
    expect(tight.paid.slice(0, 3)).toEqual([
      ['succeeded', 6, 510, 1],
      ['succeeded', 7, 618, 1],
      ['succeeded', 7, 624, 1],
    ]);
    expect(tight.paid.filter((p) => p[0] === 'succeeded')).toHaveLength(300);
  });

  it('0 shares no search: 300 own searches settle 314,167 nodes, and every payment takes the same route', async () => {
    const roomy = await payAll({});
    const alone = await payAll({ sharedSlots: 0 });
    expect(alone.work).toEqual({ ownSearches: 300, sharedRoutes: 0, settled: 314_167 });
    expect(alone.routes).toEqual(roomy.routes);
    expect(alone.paid).toEqual(roomy.paid);
  });

  it.each([
    [2.5, 'got 2.5'],
    [-1, 'got -1'],
  ])('refuses sharedSlots %s, naming the option', (sharedSlots, got) => {
    let err: unknown;
    try {
      makeNet({ sharedSlots });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({
      code: 'invalid_topology',
      message: `sharedSlots must be a whole number of node slots, 0 or more (0: no shared route searches), ${got}`,
    });
  });
});
