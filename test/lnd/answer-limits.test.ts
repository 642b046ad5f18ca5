import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callError,
  HASH,
  HASH_B64URL,
  invoice,
  pause,
  startHostileLnd,
  type HostileLnd,
} from './hostile-lnd.js';

const MiB = 1024 * 1024;

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** Sends `mib` MiB of `a` in 64 KiB chunks, with no newline, then keeps the connection open. */
async function flood(res: ServerResponse, mib: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  for (let i = 0; i < (mib * MiB) / chunk.length && !res.destroyed; i++) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
}

describe('what LND may send is bounded', () => {
  it('a stream message over maxLineBytes (1 MiB) is LndError bad_response, read no further', async () => {
    peer = await startHostileLnd((_req, res) => flood(res, 8));

    const err = await peer
      .node()
      .lookupPayment(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_response',
      message:
        `LND ${peer.restUrl} GET /v2/router/track/${HASH_B64URL}: LND sent a stream message over 1048576 bytes; ` +
        `it was not read. Check that restUrl is this node's REST address, or raise limits.maxLineBytes.`,
    });
  });

  it('a call’s answer over maxBodyBytes (4 MiB) is LndError bad_response, read no further', async () => {
    peer = await startHostileLnd((_req, res) => flood(res, 8));

    const err = await peer
      .node()
      .lookupInvoice(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_response',
      message:
        `LND ${peer.restUrl} GET /v1/invoice/${HASH}: LND sent an answer over 4194304 bytes; ` +
        `it was not read. Check that restUrl is this node's REST address, or raise limits.maxBodyBytes.`,
    });
  });

  it('LND’s error text of 100,000 characters is cut to its first 500 in the LndError', async () => {
    const text = 'x'.repeat(100_000);
    peer = await startHostileLnd((_req, res) => callError(res, 2, text));

    const err = await peer
      .node()
      .lookupInvoice(HASH)
      .catch((e: unknown) => e);

    const cut = `${'x'.repeat(500)}… (100000 characters in all)`;
    expect(err).toMatchObject({
      code: 'lnd_error',
      lndMessage: cut,
      message: `LND ${peer.restUrl} GET /v1/invoice/${HASH}: ${cut}`,
    });
  });
});

describe('stream messages are read whole', () => {
  it('a memo whose "é" is cut between two TCP chunks arrives as "café ☕"', async () => {
    peer = await startHostileLnd(async (req, res) => {
      if (!req.path.startsWith('/v1/invoices/subscribe')) return;
      const bytes = Buffer.from(`${JSON.stringify({ result: invoice({ memo: 'café ☕' }) })}\n`, 'utf8');
      const cut = bytes.indexOf(Buffer.from('é', 'utf8')) + 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, cut));
      await pause(50);
      res.write(bytes.subarray(cut));
    });
    const node = peer.node();

    const memo = await new Promise<string>((resolve) => node.onInvoice((inv) => resolve(inv.memo)));

    expect(memo).toBe('café ☕');
  });

  it('two messages split across three chunks, one of them byte by byte, arrive as two invoices in order', async () => {
    peer = await startHostileLnd(async (req, res) => {
      if (!req.path.startsWith('/v1/invoices/subscribe')) return;
      const line = (memo: string, index: string) =>
        `${JSON.stringify({ result: invoice({ memo, add_index: index, r_hash: Buffer.alloc(32, Number(index)).toString('base64') }) })}\n`;
      const bytes = Buffer.from(line('first', '1') + line('second', '2'), 'utf8');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 10));
      for (let i = 10; i < 40; i++) {
        res.write(bytes.subarray(i, i + 1));
        await pause(1);
      }
      res.write(bytes.subarray(40));
    });
    const node = peer.node();
    const memos: string[] = [];

    await new Promise<void>((resolve) =>
      node.onInvoice((inv) => {
        memos.push(inv.memo);
        if (memos.length === 2) resolve();
      }),
    );

    expect(memos).toEqual(['first', 'second']);
  });
});
