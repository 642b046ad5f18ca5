/**
 * A seller's capacity counts calls its handler runs, not requests the
 * paywall is still deciding: pay-on-success retries waiting for an HTLC that
 * never comes (a hold invoice costs nothing to ask for) do not fill it. A
 * paid call that finds every slot taken once past the paywall never ran: its
 * call goes back uncounted, its hold is canceled without using a refund.
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

  /** A capacity-1 compute seller selling single calls and 10-call bundles (and pay-on-success with `extra`). */
  async function oneSlotSeller(w: ReturnType<typeof makeWorld>, extra: Record<string, unknown> = {}) {
    return createSeller(
      {
        archetype: 'compute',
        price: { kind: 'fixed', msat: 10_000 },
        latency: { kind: 'fixed', ms: 100 },
        capacity: 1,
        tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
        ...extra,
      },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
  }

  it('gives a single-call token refused 503 at_capacity behind the paywall 3 times its call back each time: the 4th call is served 200', async () => {
    const w = makeWorld();
    const seller = await oneSlotSeller(w);
    const path = '/v1/compute';
    const token = async (payer: typeof w.buyer, tier: string) => {
      const { macaroon, invoice } = challengeOf(
        await seller.app.request(path, { headers: { 'L402-Tier': tier } }),
      );
      return formatAuthorization({ macaroon, preimage: await payInvoice(w, payer, invoice) });
    };
    const single = await token(w.buyer, '0');
    const bundle = await token(w.other, '1');
    const answers: Array<[number, number, string | null]> = [];
    for (let round = 0; round < 3; round++) {
      // Both pass the gate in front of the paywall; the bundle's call takes the slot first.
      const first = Promise.resolve(seller.app.request(path, withHeaders({ authorization: bundle })));
      const second = Promise.resolve(seller.app.request(path, withHeaders({ authorization: single })));
      await w.clock.runUntilIdle();
      const [a, b] = await Promise.all([first, second]);
      answers.push([a.status, b.status, b.headers.get('L402-Calls-Remaining')]);
    }
    const lastCall = Promise.resolve(seller.app.request(path, withHeaders({ authorization: single })));
    await w.clock.runUntilIdle();
    const last = await lastCall;
    expect(answers).toEqual([
      [200, 503, '1'],
      [200, 503, '1'],
      [200, 503, '1'],
    ]);
    expect([last.status, last.headers.get('L402-Calls-Remaining')]).toEqual([200, '0']);
  });

  it('cancels a pay-on-success hold refused 503 at_capacity behind the paywall without using a refund: 3 in a row with holdRefundRate 2 an hour, then a 4th hold is served 200 and settled', async () => {
    const w = makeWorld();
    const seller = await oneSlotSeller(w, { payOnSuccess: true, holdRefundRate: { calls: 2, perSec: 3600 } });
    const path = '/v1/compute';
    const { macaroon, invoice } = challengeOf(
      await seller.app.request(path, { headers: { 'L402-Tier': '1' } }),
    );
    const bundle = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.other, invoice) });
    const before = (await w.buyer.balances()).localMsat;
    const rounds: Array<[number, string, string]> = [];
    for (let round = 0; round < 3; round++) {
      const hold = challengeOf(await seller.app.request(path, { headers: HOLD_REQUEST }));
      const pay = w.buyer.pay(hold.invoice);
      await w.clock.advance(10);
      const first = Promise.resolve(seller.app.request(path, withHeaders({ authorization: bundle })));
      const retry = Promise.resolve(seller.app.request(path, withHeaders(holdRetryHeaders(hold.macaroon))));
      await w.clock.runUntilIdle();
      await first;
      const r = await retry;
      rounds.push([r.status, (await json(r)).error as string, (await pay).status]);
    }
    const hold = challengeOf(await seller.app.request(path, { headers: HOLD_REQUEST }));
    const pay = w.buyer.pay(hold.invoice);
    await w.clock.advance(10);
    const served = Promise.resolve(seller.app.request(path, withHeaders(holdRetryHeaders(hold.macaroon))));
    await w.clock.runUntilIdle();
    expect(rounds).toEqual([
      [503, 'at_capacity', 'failed'],
      [503, 'at_capacity', 'failed'],
      [503, 'at_capacity', 'failed'],
    ]);
    expect([(await served).status, (await pay).status]).toEqual([200, 'succeeded']);
    expect(before - (await w.buyer.balances()).localMsat).toBe(10_000);
  });
});
