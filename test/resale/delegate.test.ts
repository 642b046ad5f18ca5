import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createSubAgent, delegate } from '../../agents/resale/index.js';
import { drive, makeMarket } from '../buyer/market.js';
import { LabError } from '../../infra/errors.js';
import { childWith, parentGraph } from './parent-graph.js';

async function parentWithPass() {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 40_000, tokenLifetimeSec: 3_600, maxCalls: 10 });
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const bought = await client.acquire(origin.url);
  expect(bought.outcome).toBe('success');
  const token = {
    origin: 'http://origin.test',
    macaroon: bought.token!.macaroon,
    preimage: bought.token!.preimage!,
  };
  const sub = createSubAgent({
    name: 'child',
    node: m.addNode('child', { toHub: true }),
    fetch: m.fetch,
    clock: m.clock,
  });
  return { m, origin, token, sub };
}

describe('delegation to a sub-agent', () => {
  it('the child may make exactly the calls it was given', async () => {
    const { m, origin, token, sub } = await parentWithPass();
    await sub.receive(delegate(token, { calls: 2, validForSec: 600 }, { clock: m.clock, budgetMsat: 0 }));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await sub.call(origin.url)).outcome);
    expect(outcomes).toEqual(['success', 'success', 'quota_exhausted']);
  });

  it('the origin enforces the shorter life and the path binding of a delegated token', async () => {
    const { m, origin, token } = await parentWithPass();
    const d = delegate(token, { calls: 5, validForSec: 60, pathPrefix: '/v1/other' }, { clock: m.clock });
    const auth = { authorization: `L402 ${d.macaroon}:${d.preimage}` };
    const outside = await m.fetch(origin.url, { headers: auth });
    expect(outside.status).toBe(402);
    expect(((await outside.json()) as { reason: string }).reason).toBe('binding_mismatch');
    const d2 = delegate(token, { calls: 5, validForSec: 60 }, { clock: m.clock });
    await m.clock.advance(61_000);
    const late = await m.fetch(origin.url, {
      headers: { authorization: `L402 ${d2.macaroon}:${d2.preimage}` },
    });
    expect(((await late.json()) as { reason: string }).reason).toBe('expired');
  });

  it('a token delivered for an escaped URL is held at the path the engine and the origin read (/v1/dat%61 is /v1/data)', async () => {
    const { m, origin, token, sub } = await parentWithPass();
    const escaped = origin.url.replace(/a$/, '%61');
    expect(escaped).toBe('http://origin.test/v1/dat%61');
    const held = await sub.receive({ ...delegate(token, { calls: 2 }, { clock: m.clock }), url: escaped });
    expect(held?.pathPrefix).toBe('/v1/data');
    const outcomes = [(await sub.call(origin.url)).outcome, (await sub.call(escaped)).outcome];
    expect(outcomes).toEqual(['success', 'success']);
  });

  it('asking for more calls than the token carries is refused with a code', async () => {
    const { m, token } = await parentWithPass();
    expect(() => delegate(token, { calls: 11 }, { clock: m.clock })).toThrow(LabError);
    try {
      delegate(token, { calls: 11 }, { clock: m.clock });
    } catch (e) {
      expect(e).toMatchObject({
        code: 'cannot_attenuate',
        message: expect.stringMatching(/widening_caveat/),
      });
    }
  });

  it('the buyer graph delegates part of what it bought to a named sub-agent', async () => {
    const { m, origin, run } = await parentGraph();
    const r = await run(1, 2, 50_000);
    expect(r.done).toBe(true);
    expect(r.steps.at(-1)!.node).toBe('delegate');
    expect(r.delegations).toMatchObject([{ to: 'child', origin: 'http://origin.test', calls: 2 }]);
    const child = await childWith(m, r.delegations[0]!);
    const calls = [await child.call(origin.url), await child.call(origin.url), await child.call(origin.url)];
    expect(calls.map((c) => c.outcome)).toEqual(['success', 'success', 'quota_exhausted']);
    expect(await drive(m.clock, Promise.resolve(origin.served))).toBe(3);
  });
});
