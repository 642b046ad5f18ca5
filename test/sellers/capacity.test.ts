/**
 * A seller's capacity counts calls its handler runs, not requests the
 * paywall is still deciding: pay-on-success retries waiting for an HTLC that
 * never comes (a hold invoice costs nothing to ask for) do not fill it.
 */
import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { createSeller } from '../../services/sellers/index.js';
import {
  challengeOf,
  HOLD_REQUEST,
  holdRetryHeaders,
  json,
  makeWorld,
  payInvoice,
} from '../paywall/helpers.js';

const JOB: RequestInit = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ numbers: [1, 2, 3] }),
};
const withHeaders = (headers: Record<string, string>): RequestInit => ({
  ...JOB,
  headers: { ...(JOB.headers as Record<string, string>), ...headers },
});

describe('seller capacity', () => {
  it('4 unpaid pay-on-success retries waiting for their HTLC leave a capacity-4 seller serving: a paid call 200, a quote 402; the retries end 402 after the 30 s hold timeout', async () => {
    const w = makeWorld();
    const seller = await createSeller(
      {
        archetype: 'compute',
        price: { kind: 'fixed', msat: 10_000 },
        latency: { kind: 'fixed', ms: 100 },
        capacity: 4,
        payOnSuccess: true,
      },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
    const path = '/v1/compute';
    // An honest buyer holds a paid token (no hold).
    const { macaroon, invoice } = challengeOf(await seller.app.request(path));
    const honest = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
    // Four hold invoices asked for and never paid; their retries wait for an HTLC.
    const waiting: Promise<Response>[] = [];
    for (let i = 0; i < 4; i++) {
      const hold = challengeOf(await seller.app.request(path, { headers: HOLD_REQUEST }));
      waiting.push(Promise.resolve(seller.app.request(path, withHeaders(holdRetryHeaders(hold.macaroon)))));
    }
    await w.clock.advance(1);
    expect(seller.inUse).toBe(0);
    const t0 = w.clock.now();

    const paid = Promise.resolve(seller.app.request(path, withHeaders({ authorization: honest })));
    await w.clock.advance(100);
    expect((await paid).status).toBe(200);
    expect((await seller.app.request(path)).status).toBe(402);

    await w.clock.runUntilIdle();
    const ended = await Promise.all(waiting);
    expect(ended.map((r) => r.status)).toEqual([402, 402, 402, 402]);
    expect((await json(ended[0]!)).reason).toBe('payment_not_received');
    expect(w.clock.now() - t0).toBe(29_999);
  });
});
