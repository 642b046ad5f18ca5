/**
 * LND refusing the macaroon on the global invoice feed (/v1/invoices/subscribe): a macaroon without
 * invoices:read, a rotated one, a proxy's 401/403. Asking again with the same macaroon cannot
 * succeed, so the feed stops after one attempt and logs one error saying what to do; the per-hash
 * watches do not depend on it and still deliver their invoices' states.
 */
import type { ServerResponse } from 'node:http';
import pino from 'pino';
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

/** Waits (up to 5 s of wall time) until `ok()`. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await pause(50);
}

interface Log {
  level: number;
  msg: string;
}
function capture(): { logs: Log[]; logger: pino.Logger } {
  const logs: Log[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  return { logs, logger };
}

/** An error as grpc-gateway writes it: the HTTP status, then `{"error": {code, message}}`. */
function refuse(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify({ error: { code, message, details: [] } })}\n`);
}

const advice =
  'not reconnecting: onInvoice hears no more of ordinary invoices, only of hold and watched ones ' +
  '(through their own watches, if LND allows them). Give the node a macaroon that may read invoices ' +
  '(admin.macaroon, or one baked with `lncli bakemacaroon invoices:read`) and check that macaroonPath ' +
  "is this node's current macaroon, then restart.";

describe('the global invoice feed refused by LND', () => {
  it.each([
    [
      'HTTP 401, gRPC 16 UNAUTHENTICATED (rotated macaroon)',
      (res: ServerResponse) => refuse(res, 401, 16, "cannot get macaroon: root key with id 0 doesn't exist"),
      "gRPC code 16: cannot get macaroon: root key with id 0 doesn't exist",
    ],
    [
      'HTTP 403, gRPC 7 PERMISSION_DENIED (no invoices:read)',
      (res: ServerResponse) => refuse(res, 403, 7, 'permission denied'),
      'gRPC code 7: permission denied',
    ],
    [
      'HTTP 403 from a proxy, body Forbidden',
      (res: ServerResponse) => {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end('Forbidden');
      },
      'HTTP 403: Forbidden',
    ],
    [
      'gRPC 7 PERMISSION_DENIED in the stream after one invoice',
      (res: ServerResponse) => {
        streamLine(res, invoice());
        res.end(`${JSON.stringify({ error: { code: 7, message: 'permission denied', details: [] } })}\n`);
      },
      'gRPC code 7: permission denied',
    ],
  ])(
    '%s: exactly 1 subscribe, also after the listeners leave and one comes back, and one error log naming it',
    async (_what, answer, said) => {
      peer = await startHostileLnd((req, res) => {
        if (req.path.startsWith('/v1/invoices/subscribe')) answer(res);
      });
      const { logs, logger } = capture();
      const node = peer.node({ logger });
      const off = node.onInvoice(() => {});
      await until(() => logs.length > 0);
      await pause(1_500); // a reconnecting feed asks again after 250 ms, 500 ms, 1 s
      off();
      node.onInvoice(() => {}); // would start the feed again
      await pause(400);

      expect(peer.requests.filter((r) => r.startsWith('GET /v1/invoices/subscribe'))).toHaveLength(1);
      expect(logs.map((l) => [l.level, l.msg])).toEqual([
        [50, `invoice feed refused by LND (${said}); ${advice}`],
      ]);
    },
  );

  it('a watched invoice settled meanwhile is still delivered by its own watch, with the feed asked once', async () => {
    peer = await startHostileLnd((req, res) => {
      if (req.path.startsWith('/v1/invoices/subscribe')) return refuse(res, 403, 7, 'permission denied');
      if (req.path === `/v2/invoices/subscribe/${HASH_B64URL}`) {
        streamLine(res, invoice());
        void pause(300).then(() => streamLine(res, invoice({ state: 'SETTLED', settle_index: '1' })));
      }
    });
    const { logger } = capture();
    const node = peer.node({ logger });
    const seen: Invoice[] = [];
    node.onInvoice((inv) => seen.push(inv));
    node.watchInvoice(HASH);
    await until(() => seen.length === 2);
    await pause(1_000);

    expect(seen.map((i) => [i.paymentHash, i.state])).toEqual([
      [HASH, 'open'],
      [HASH, 'settled'],
    ]);
    expect(peer.requests.filter((r) => r.startsWith('GET /v1/invoices/subscribe'))).toHaveLength(1);
  });
});

describe('an invoice watch refused by a proxy', () => {
  it('answered HTTP 403 "Forbidden" (no LND error body): one request, one error log, no reconnect', async () => {
    peer = await startHostileLnd((req, res) => {
      if (req.path.startsWith('/v2/invoices/subscribe/')) {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end('Forbidden');
        return;
      }
      if (req.path.startsWith('/v1/invoices/subscribe')) res.writeHead(200);
    });
    const { logs, logger } = capture();
    const node = peer.node({ logger });
    node.onInvoice(() => {});
    node.watchInvoice(HASH);
    await until(() => logs.length > 0);
    await pause(1_500);

    expect(peer.requests.filter((r) => r.startsWith('GET /v2/'))).toEqual([
      `GET /v2/invoices/subscribe/${HASH_B64URL}`,
    ]);
    expect(logs.map((l) => [l.level, l.msg])).toEqual([
      [50, 'invoice watch refused; no longer following it'],
    ]);
  });
});
