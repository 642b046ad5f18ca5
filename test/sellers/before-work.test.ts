/**
 * A seller's `beforeWork` step (an intermediary buying its inputs) runs only on paid calls the
 * paywall accepted; a refusal from it answers the call, which did not run: its call goes back.
 */
import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { createSeller } from '../../services/sellers/index.js';
import { challengeOf, makeWorld, payInvoice } from '../paywall/helpers.js';

const PATH = '/v1/anomalies?region=eu';

/** A data feed at 2,000 msat a call, answering at once, whose `beforeWork` answers `refusals` in turn (then nothing); `runs` counts its runs. */
async function feedWithStep(refusals: Response[]) {
  const w = makeWorld();
  const log = { runs: 0 };
  const seller = await createSeller(
    { archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 }, latency: { kind: 'fixed', ms: 0 } },
    {
      node: w.seller,
      clock: w.clock,
      rng: w.rng.fork('seller'),
      beforeWork: async () => {
        log.runs++;
        return refusals.shift();
      },
    },
  );
  const { macaroon, invoice } = challengeOf(await seller.app.request(PATH));
  const paid = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
  const unpaid = formatAuthorization({ macaroon, preimage: '00'.repeat(32) });
  const call = async (authorization: string) =>
    (await seller.app.request(PATH, { headers: { authorization } })).status;
  return { log, paid, unpaid, call };
}

describe('seller beforeWork', () => {
  it('runs once for an accepted call (200) and never for a token with a wrong preimage (402) or a used-up one (402)', async () => {
    const f = await feedWithStep([]);
    expect(await f.call(f.unpaid)).toBe(402);
    expect(await f.call(f.paid)).toBe(200);
    expect(await f.call(f.paid)).toBe(402);
    expect(f.log.runs).toBe(1);
  });

  it('a 502 from it answers the call and gives the call back: the same 1-call token then gets 200', async () => {
    const f = await feedWithStep([Response.json({ error: 'upstream_unavailable' }, { status: 502 })]);
    expect(await f.call(f.paid)).toBe(502);
    expect(await f.call(f.paid)).toBe(200);
    expect(await f.call(f.paid)).toBe(402);
    expect(f.log.runs).toBe(2);
  });
});
