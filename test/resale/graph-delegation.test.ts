import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createSubAgent, graphDelegator } from '../../agents/resale/index.js';
import { drive, makeMarket } from '../buyer/market.js';

/** A parent buyer graph with a delegate step, buying 5-call tokens from one origin. */
async function parentGraph() {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 20_000, maxCalls: 5 });
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const agent = createBuyerAgent({
    name: 'parent',
    registry: await m.registry(),
    client,
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    delegate: graphDelegator(m.clock),
  });
  /** Runs a task of `calls` calls that hands `delegated` calls to `child`. */
  const run = (calls: number, delegated: number) =>
    agent.runTask({
      id: 'job',
      capability: 'data',
      valueMsat: 200_000,
      calls,
      delegate: { to: 'child', calls: delegated, validForSec: 300 },
    });
  return { m, origin, client, run };
}

describe('the buyer graph delegates only the calls its token has left, and counts them', () => {
  it('a task that used 4 calls of a 5-call token refuses to delegate 3: cannot_attenuate, 1 call left', async () => {
    const { m, run } = await parentGraph();
    // Caught inside the drive: a rejection nobody handles yet would be reported as unhandled.
    const refused = await drive(
      m.clock,
      run(4, 3).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    expect(refused).toMatchObject({
      code: 'cannot_attenuate',
      message:
        'cannot delegate 3 calls: the token has 1 of its 5 left (4 used or handed down); delegate at most 1',
    });
  });

  it("3 calls delegated after 1 used are counted on the parent's token (4/5): the parent's reuse stops after 1 call, the child makes its 3", async () => {
    const { m, origin, client, run } = await parentGraph();
    const r = await drive(m.clock, run(1, 3));
    expect(r.delegations).toMatchObject([{ to: 'child', origin: 'http://origin.test', calls: 3 }]);
    expect(client.tokens.list().map((t) => `${t.callsUsed}/${t.maxCalls}`)).toEqual(['4/5']);
    const parentCalls: string[] = [];
    for (let i = 0; i < 2; i++)
      parentCalls.push((await drive(m.clock, client.purchase(origin.url, {}, { reuseOnly: true }))).outcome);
    expect(parentCalls).toEqual(['success', 'quota_exhausted']);
    const child = createSubAgent({
      name: 'child',
      node: m.addNode('child', { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
    });
    const d = r.delegations[0]!;
    await child.receive({ origin: d.origin, service: 'origin', macaroon: d.macaroon, preimage: d.preimage });
    const childCalls: string[] = [];
    for (let i = 0; i < 4; i++) childCalls.push((await drive(m.clock, child.call(origin.url))).outcome);
    expect(childCalls).toEqual(['success', 'success', 'success', 'quota_exhausted']);
    expect(origin.served).toBe(5);
  });
});
