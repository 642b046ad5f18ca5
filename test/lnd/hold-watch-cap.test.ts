import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LndNode } from '../../infra/lightning/lnd/index.js';
import {
  answer,
  HASH,
  HASH_B64URL,
  invoice,
  pause,
  startHostileLnd,
  streamError,
  streamLine,
  type HostileLnd,
} from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** Hash number `k` (1, 2, …) as hex, and as LND's subscribe path takes it. */
const hashOf = (k: number) => k.toString(16).padStart(64, '0');
const b64url = (hex: string) =>
  Buffer.from(hex, 'hex').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
const watchOf = (hex: string) => `GET /v2/invoices/subscribe/${b64url(hex)}`;

/** Waits (up to 5 s of wall time) until `ok()`; false if it never was. */
async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !ok(); i++) await pause(50);
  return ok();
}

/**
 * LND holding hold invoices: each is OPEN until the test moves it; a watch
 * sends the invoice as it is and stays open; lookups answer its state.
 */
async function holdingLnd(state: Map<string, string>, streams: Map<string, ServerResponse>) {
  return startHostileLnd((req, res) => {
    const hashHex = (b64: string) => Buffer.from(decodeURIComponent(b64), 'base64').toString('hex');
    const inv = (hex: string) =>
      invoice({ r_hash: Buffer.from(hex, 'hex').toString('base64'), state: state.get(hex) ?? 'OPEN' });
    if (req.method === 'POST' && req.path === '/v2/invoices/hodl')
      return answer(res, 200, { add_index: '1' });
    if (req.path.startsWith('/v1/invoice/'))
      return answer(res, 200, inv(req.path.slice('/v1/invoice/'.length)));
    if (req.path.startsWith('/v2/invoices/subscribe/')) {
      const hex = hashHex(req.path.slice('/v2/invoices/subscribe/'.length));
      streams.set(hex, res);
      return streamLine(res, inv(hex));
    }
    if (req.path.startsWith('/v1/invoices/subscribe')) res.writeHead(200);
  });
}

describe('hold invoices beyond 64 are not given a connection each', () => {
  it('65 hold invoices open 64 watches; the 65th is looked up, its accepted state delivered, and it gets the first watch freed', async () => {
    const state = new Map<string, string>();
    const streams = new Map<string, ServerResponse>();
    peer = await holdingLnd(state, streams);
    const node = peer.node();
    const last = hashOf(65);
    const lastStates: string[] = [];
    node.onInvoice((inv) => void (inv.paymentHash === last && lastStates.push(inv.state)));

    for (let k = 1; k <= 65; k++) await node.createHoldInvoice({ amountMsat: 1_000, paymentHash: hashOf(k) });
    const watches = () => peer!.requests.filter((r) => r.startsWith('GET /v2/invoices/subscribe/'));
    await until(() => lastStates.length === 1 && watches().length === 64);
    expect(watches()).toEqual(Array.from({ length: 64 }, (_, i) => watchOf(hashOf(i + 1))));
    expect(lastStates).toEqual(['open']); // from a lookup (GET /v1/invoice/<hash 65>): it has no watch

    state.set(last, 'ACCEPTED'); // the payer's HTLC arrives
    expect(await until(() => lastStates.length === 2)).toBe(true);
    state.set(hashOf(1), 'SETTLED'); // the first one settles: LND ends its watch
    streamLine(
      streams.get(hashOf(1))!,
      invoice({ r_hash: Buffer.from(hashOf(1), 'hex').toString('base64'), state: 'SETTLED' }),
    );
    streams.get(hashOf(1))!.end();
    await until(() => watches().length === 65);

    expect(lastStates).toEqual(['open', 'accepted']);
    expect(watches().slice(64)).toEqual([watchOf(last)]);
  });
});

describe('a watch LND cannot serve stops instead of reconnecting forever', () => {
  it.each([
    [
      'not_found',
      5,
      'unable to locate invoice',
      'invoice watch found no such invoice; no longer following it',
    ],
    [
      'unauthorized',
      2,
      'verification failed: signature mismatch after caveat verification',
      'invoice watch refused; no longer following it',
    ],
  ])(
    'answered %s (gRPC %s "%s"): one request, one error log "%s", no watch again when a listener comes back',
    async (code, grpcCode, text, logged) => {
      peer = await startHostileLnd((req, res) => {
        if (req.path.startsWith('/v2/invoices/subscribe/')) return streamError(res, grpcCode, text);
        if (req.path.startsWith('/v1/invoices/subscribe')) res.writeHead(200);
      });
      const logs: Array<{ level: number; msg: string; hash: string; code: string }> = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
      const node: LndNode = peer.node({ logger });
      const off = node.onInvoice(() => {});

      node.watchInvoice(HASH);
      await until(() => logs.length === 1);
      await pause(2_000); // a reconnecting watch asks again after 250 ms, 500 ms, 1 s
      off();
      node.onInvoice(() => {}); // would watch every followed invoice again
      await pause(300);

      expect(peer.requests.filter((r) => r.startsWith('GET /v2/'))).toEqual([
        `GET /v2/invoices/subscribe/${HASH_B64URL}`,
      ]);
      expect(logs.map((l) => [l.level, l.msg, l.hash, l.code])).toEqual([[50, logged, HASH, code]]);
    },
  );
});
