import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Invoice } from '../../infra/lightning/node.js';
import {
  answer,
  callError,
  HASH,
  HASH_B64URL,
  invoice,
  pause,
  startHostileLnd,
  streamLine,
  type HostileLnd,
} from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const CANCELED = invoice({ state: 'CANCELED' });
const FEED = '/v1/invoices/subscribe';
const WATCH = `/v2/invoices/subscribe/${HASH_B64URL}`;

/**
 * LND with one regular invoice (the fixture): the first cancel cancels it, a repeat is LND's "invoice already
 * canceled"; lookups find it canceled; the global feed and the invoice's watch are held open, unanswered, in `streams`.
 */
function lnd(streams: Map<string, ServerResponse>) {
  let cancels = 0;
  return startHostileLnd((req, res) => {
    if (req.path === '/v2/invoices/cancel')
      return cancels++ === 0 ? answer(res, 200, {}) : callError(res, 2, 'invoice already canceled');
    if (req.path === `/v1/invoice/${HASH}`) return answer(res, 200, CANCELED);
    if (req.path.startsWith(FEED)) return void streams.set(FEED, res);
    if (req.path === WATCH) return void streams.set(WATCH, res);
  });
}

/** The node's `onInvoice` events so far, as `[hash, state]`. */
function listen(node: ReturnType<HostileLnd['node']>): Array<[string, string]> {
  const seen: Array<[string, string]> = [];
  node.onInvoice((inv: Invoice) => seen.push([inv.paymentHash, inv.state]));
  return seen;
}

describe('cancelInvoice on LND tells onInvoice listeners of a regular invoice canceled, once', () => {
  it('a regular invoice no watch follows: one canceled event when cancelInvoice resolves, none more for a repeated cancel', async () => {
    peer = await lnd(new Map());
    const node = peer.node();
    const seen = listen(node);

    await node.cancelInvoice(HASH);
    expect(seen).toEqual([[HASH, 'canceled']]);

    await node.cancelInvoice(HASH); // LND: "invoice already canceled", taken as done
    await pause(100);
    expect(seen).toEqual([[HASH, 'canceled']]);
  });

  it('the cancel is told when cancelInvoice resolves; the global feed reporting it afterwards adds no second event', async () => {
    const streams = new Map<string, ServerResponse>();
    peer = await lnd(streams);
    const node = peer.node();
    const seen = listen(node);
    await pause(100); // the feed is connected

    await node.cancelInvoice(HASH);
    expect(seen).toEqual([[HASH, 'canceled']]);
    streamLine(streams.get(FEED)!, { ...CANCELED, add_index: '1' });
    await pause(100);

    expect(seen).toEqual([[HASH, 'canceled']]);
  });

  it('a watched invoice is reported by its watch alone: one canceled event, no lookup after the cancel', async () => {
    const streams = new Map<string, ServerResponse>();
    peer = await lnd(streams);
    const node = peer.node();
    const seen = listen(node);
    node.watchInvoice(HASH);
    await pause(100); // the feed and the watch are connected

    await node.cancelInvoice(HASH);
    streamLine(streams.get(WATCH)!, CANCELED);
    await pause(100);

    expect(seen).toEqual([[HASH, 'canceled']]);
    expect(peer.requests.filter((r) => r === `GET /v1/invoice/${HASH}`)).toEqual([]);
  });

  it('with no listener, cancelInvoice sends the cancel and nothing else', async () => {
    peer = await lnd(new Map());
    await peer.node().cancelInvoice(HASH);
    expect(peer.requests).toEqual(['POST /v2/invoices/cancel']);
  });
});
