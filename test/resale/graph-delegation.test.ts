import { describe, expect, it } from 'vitest';
import { drive } from '../buyer/market.js';
import { childWith, parentGraph } from './parent-graph.js';

describe('the buyer graph delegates only the calls its token has left, and counts them', () => {
  it('a task that used 4 calls of a 5-call token refuses to delegate 3: cannot_attenuate, 1 call left', async () => {
    const { m, run } = await parentGraph();
    // Caught inside the drive: a rejection nobody handles yet would be reported as unhandled.
    const refused = await drive(
      m.clock,
      run(4, 3, 200_000).then(
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
    const r = await drive(m.clock, run(1, 3, 200_000));
    expect(r.delegations).toMatchObject([{ to: 'child', origin: 'http://origin.test', calls: 3 }]);
    expect(client.tokens.list().map((t) => `${t.callsUsed}/${t.maxCalls}`)).toEqual(['4/5']);
    const parentCalls: string[] = [];
    for (let i = 0; i < 2; i++)
      parentCalls.push((await drive(m.clock, client.purchase(origin.url, {}, { reuseOnly: true }))).outcome);
    expect(parentCalls).toEqual(['success', 'quota_exhausted']);
    const child = await childWith(m, r.delegations[0]!);
    const childCalls: string[] = [];
    for (let i = 0; i < 4; i++) childCalls.push((await drive(m.clock, child.call(origin.url))).outcome);
    expect(childCalls).toEqual(['success', 'success', 'success', 'quota_exhausted']);
    expect(origin.served).toBe(5);
  });
});
