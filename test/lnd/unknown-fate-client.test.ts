import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { systemClock, type Clock } from '../../infra/time/clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import {
  answer,
  decodes,
  HASH,
  HASH_B64URL,
  INVOICE,
  invoice,
  payment,
  startHostileLnd,
  streamError,
  streamLine,
  type HostileLnd,
} from './hostile-lnd.js';

/** The node that made the fixture invoice (its payee). */
const PAYEE = '036af50953818789b1423459473ad635183da35943b60bf3717de47b175a3a3b0d';
/** When LND made the fixture invoice (its timestamp; it expires an hour later). */
const INVOICE_MADE_AT_MS = 1_795_238_285_000;
/** Wall time moved back to a minute after the fixture invoice was made, so that it is payable. */
const shift = Date.now() - (INVOICE_MADE_AT_MS + 60_000);
const clock: Clock = { ...systemClock, now: () => Date.now() - shift };

/** How LND's track answer says nothing: a 200 stream ending at once, or a proxy's 502 page. */
type Silence = 'an empty stream' | 'a 502 page';

const TRACK = `GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=false`;

let peer: HostileLnd | undefined;
let seller: Listening | undefined;
afterEach(async () => {
  await seller?.close();
  await peer?.close();
  peer = seller = undefined;
});

function silent(res: ServerResponse, how: Silence): void {
  if (how === 'an empty stream') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end();
    return;
  }
  res.writeHead(502, { 'content-type': 'text/html' });
  res.end('<html><body>502 Bad Gateway: upstream host not found</body></html>');
}

/**
 * One LND for seller and buyer: every invoice it makes is the fixture (123,456 msat), a send
 * is taken (IN_FLIGHT) and never ends, and tracking the hash once it was sent is answered `how`.
 */
async function market(how: Silence) {
  let sends = 0;
  peer = await startHostileLnd((req, res) => {
    if (decodes(req, res)) return;
    if (req.path === '/v1/getinfo') {
      return answer(res, 200, {
        identity_pubkey: PAYEE,
        chains: [{ chain: 'bitcoin', network: 'regtest' }],
      });
    }
    if (req.method === 'POST' && req.path === '/v1/invoices') {
      const r_hash = Buffer.from(HASH, 'hex').toString('base64');
      return answer(res, 200, { r_hash, payment_request: INVOICE, add_index: '1' });
    }
    if (req.path === `/v1/invoice/${HASH}`) return answer(res, 200, invoice());
    if (req.path === '/v2/router/send') {
      sends++;
      return streamLine(res, payment('IN_FLIGHT'));
    }
    if (!req.path.startsWith('/v2/router/track/')) return;
    // Before the send LND has no record of the hash (the client checks that before paying).
    if (sends === 0) return streamError(res, 5, "payment isn't initiated");
    silent(res, how);
  });
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) });
  const paywall = { node: peer.node(), minter, clock, price: 123_456 };
  const app = new Hono();
  app.get('/v1/a', l402Paywall({ ...paywall, service: 'a' }), (c) => c.json({ data: 'a' }));
  app.get('/v1/b', l402Paywall({ ...paywall, service: 'b' }), (c) => c.json({ data: 'b' }));
  seller = await listen(app.fetch);
  const policy = createPolicy(
    { name: 'budget_window', params: { limitMsat: 200_000, window: 'day' } },
    { clock },
  );
  const node = peer.node({ reconnectTimeoutMs: 0, limits: { callTimeoutMs: 1_000 } });
  const client = createL402Client({ node, fetch: globalThis.fetch, clock, policy, payTimeoutMs: 1_000 });
  return { client, url: seller.url, sends: () => sends };
}

describe('an L402 client whose payment’s fate is unknown, when LND’s answer about it says nothing', () => {
  it.each<Silence>(['an empty stream', 'a 502 page'])(
    'LND answering the track with %s: the pending token is kept, nothing is paid again, and its 124,690 msat budget hold (price + 1% fee ceiling) stays',
    async (how) => {
      const { client, url, sends } = await market(how);
      const first = await client.purchase(`${url}/v1/a`);
      expect(first).toMatchObject({ outcome: 'payment_timeout', paidMsat: 0, paymentHash: HASH });

      const again = await client.purchase(`${url}/v1/a`);

      expect(again).toMatchObject({
        outcome: 'payment_timeout',
        reason: `an earlier payment ${HASH} is still in flight`,
        paidMsat: 0,
      });
      expect(sends()).toBe(1);
      expect(client.tokens.list().map((t) => [t.state, t.paymentHash])).toEqual([['pending', HASH]]);
      expect(peer!.requests.filter((r) => r.startsWith('GET /v2/router/track/'))).toEqual([TRACK, TRACK]);
      // The first payment's hold is still there: another 124,690 msat does not fit 200,000.
      const other = await client.purchase(`${url}/v1/b`);
      expect(other).toMatchObject({ outcome: 'over_budget', paidMsat: 0 });
      expect(other.reason).toBe(
        'budget_window: 124690 msat (price + fee ceiling) would exceed the limit of 200000 msat (spent 0, reserved 124690)',
      );
      expect(sends()).toBe(1);
    },
  );
  it.each<Silence>(['an empty stream', 'a 502 page'])(
    'recover() with LND answering the lookup with %s counts the pending token in flight and keeps it',
    async (how) => {
      const { client, url } = await market(how);
      const first = await client.purchase(`${url}/v1/a`);
      expect(first).toMatchObject({ outcome: 'payment_timeout', paidMsat: 0, paymentHash: HASH });

      expect(await client.recover()).toEqual({ completed: 0, dropped: 0, inFlight: 1 });
      expect(client.tokens.list().map((t) => [t.state, t.paymentHash])).toEqual([['pending', HASH]]);
    },
  );
});
