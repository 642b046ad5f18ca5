import { afterEach, describe, expect, it } from 'vitest';
import type { Invoice } from '../../infra/lightning/node.js';
import {
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

describe('the global invoice feed', () => {
  it('passes a line that does not fit LND schema (add_index 1) and delivers the next one (add_index 2) on the same connection, never reconnecting at the bad line', async () => {
    peer = await startHostileLnd((req, res) => {
      if (!req.path.startsWith('/v1/invoices/subscribe')) return;
      if (req.path.includes('add_index=0')) {
        streamLine(res, invoice({ add_index: '1', value_msat: 'not a number' }));
        streamLine(res, invoice({ add_index: '2', state: 'SETTLED', settle_index: '1' }));
      }
      // A reconnect from past the bad line is left open, unanswered.
    });
    const node = peer.node();
    const seen = await new Promise<Invoice>((resolve) => node.onInvoice(resolve));
    expect([seen.paymentHash, seen.state]).toEqual([HASH, 'settled']);
    expect(peer.requests).toEqual(['GET /v1/invoices/subscribe?add_index=0&settle_index=0']);
  });
});

describe('an invoice watch', () => {
  it('started again after its listeners left and one came back is the only watch of its hash: watching it once more opens no third feed', async () => {
    peer = await startHostileLnd(() => {}); // takes every feed and never answers
    const node = peer.node();
    const off = node.onInvoice(() => {});
    node.watchInvoice(HASH);
    await pause(200); // both feeds are connected
    off(); // the last listener leaves: every feed stops
    node.onInvoice(() => {}); // one comes back: the followed invoice is watched again
    await pause(200); // the first watch has ended by now
    node.watchInvoice(HASH);
    await pause(200);
    const watches = peer.requests.filter((r) => r === `GET /v2/invoices/subscribe/${HASH_B64URL}`);
    expect(watches.length).toBe(2);
  });
});
