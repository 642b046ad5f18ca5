import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import { SliceChecker } from '../../agents/resale/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_URL } from './reseller-market.js';

/** The buyer's request timeout (market time: the client times its requests on its clock). */
const TIMEOUT_MS = 500;

/** A transport that runs (and waits for) `duringCheck` when the slice's check call reaches the origin (the slice is delivered, its HTLC held). */
function onCheck(f: typeof fetch, duringCheck: () => unknown): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    if (req.url.startsWith('http://origin.test/') && req.headers.has('authorization')) await duringCheck();
    return f(input, init);
  }) as typeof fetch;
}

/** A buyer with its own node, checking slices through `SliceChecker`; `duringCheck` ends its wait for the delivery. */
function lateBuyer(duringCheck: (abort: AbortController, clock: VirtualClock) => unknown) {
  const market = resaleMarket({ subs: 0 });
  const { m, origin } = market;
  const node = m.addNode('late-buyer', { toHub: true });
  const abort = new AbortController();
  const fetch = onCheck(m.fetch, () => duringCheck(abort, m.clock));
  const checker = new SliceChecker({ name: 'late', node, fetch, clock: m.clock });
  const client = createL402Client({
    node,
    fetch: checker.fetch,
    clock: m.clock,
    buyer: 'late',
    requestTimeoutMs: TIMEOUT_MS,
  });
  const expected = checker.expect({ url: origin.url });
  const init = { signal: abort.signal, headers: expected.headers };
  const buy = () => drive(m.clock, client.purchase(SLICE_URL, init, { payOnSuccess: true }));
  return { ...market, node, expected, buy };
}

const ENDED = `the request for ${SLICE_URL} ended (timed out or aborted) before its slice was checked: the hold is canceled, nothing is paid`;

describe('a slice delivered after its buyer stopped waiting is not paid', () => {
  it.each([
    [
      'times out',
      (_: AbortController, clock: VirtualClock) => clock.sleep(TIMEOUT_MS),
      `no answer within ${TIMEOUT_MS} ms`,
    ],
    ['is aborted', (a: AbortController) => a.abort(), 'This operation was aborted'],
  ])(
    'the request %s while the check runs: the checker cancels the hold, the buyer pays 0 msat, the reseller sells nothing',
    async (_how, duringCheck, why) => {
      const { m, node, reseller, expected, buy } = lateBuyer(duringCheck);
      const before = await m.balance(node);
      const result = await buy();
      expect(result).toMatchObject({
        outcome: 'not_delivered',
        reason: `request failed: ${why}`,
        paidMsat: 0,
        feeMsat: 0,
      });
      const checked = expected.end(result.paymentHash);
      expect(checked).toMatchObject({ ok: false, released: true, reason: ENDED });
      expect(checked!.call!.outcome).toBe('success');
      expect(before - (await m.balance(node))).toBe(0);
      const invoice = await m.net.node('reseller').lookupInvoice(result.paymentHash!);
      expect(invoice!.state).toBe('canceled');
      expect(reseller.stats()).toMatchObject({ slicesSold: 0, slicesRefused: 1, revenueMsat: 0 });
    },
  );
});
