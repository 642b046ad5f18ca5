import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answer,
  callError,
  HASH,
  HASH_B64URL,
  startHostileLnd,
  streamError,
  type HostileLnd,
} from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const TRACK_WHERE = (url: string) => `LND ${url} GET /v2/router/track/${HASH_B64URL}`;
const INVOICE_WHERE = (url: string) => `LND ${url} GET /v1/invoice/${HASH}`;
const NOT_LND_404 = `is not LND's answer about the request: check that restUrl is LND's REST address and that this LND (v0.20) serves this call.`;

/** Answers that mention "not found" and are not LND saying it has no such record. */
const pages: Array<[string, (res: ServerResponse) => void, (where: string) => unknown]> = [
  [
    'a proxy’s 502 page "upstream host not found"',
    (res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>502 Bad Gateway: upstream host not found</html>');
    },
    (where) => ({
      code: 'lnd_error',
      status: 502,
      message: `${where}: <html>502 Bad Gateway: upstream host not found</html>`,
    }),
  ],
  [
    'Go’s "404 page not found" (a wrong port)',
    (res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    },
    (where) => ({
      code: 'lnd_error',
      status: 404,
      message: `${where}: HTTP 404 (404 page not found\n) ${NOT_LND_404}`,
    }),
  ],
  [
    'grpc-gateway’s {code: 5, "Not Found"} for a path it has no route for',
    (res) => answer(res, 404, { code: 5, message: 'Not Found', details: [] }),
    (where) => ({ code: 'lnd_error', status: 404, message: `${where}: HTTP 404 (Not Found) ${NOT_LND_404}` }),
  ],
  [
    'a database error "unable to fetch payment: bucket not found" (gRPC 2, HTTP 500)',
    (res) => callError(res, 2, 'unable to fetch payment: bucket not found'),
    (where) => ({
      code: 'lnd_error',
      status: 500,
      grpcCode: 2,
      message: `${where}: unable to fetch payment: bucket not found`,
    }),
  ],
];

describe('lookupPayment reads "no record" only from LND’s own NotFound', () => {
  it.each(pages)('throws on %s instead of answering undefined', async (_, page, expected) => {
    peer = await startHostileLnd((_req, res) => page(res));

    const err = await peer
      .node({ retry: { maxWaitMs: 0 } })
      .lookupPayment(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject(expected(TRACK_WHERE(peer.restUrl)) as object);
  });

  it('throws unreachable on a 200 stream that ends before any message, and answers undefined on LND’s NotFound (gRPC 5 "payment isn\'t initiated")', async () => {
    let n = 0;
    peer = await startHostileLnd((_req, res) => {
      if (n++ > 0) return streamError(res, 5, "payment isn't initiated");
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
    });
    const node = peer.node();

    const empty = await node.lookupPayment(HASH).catch((e: unknown) => e);
    const none = await node.lookupPayment(HASH);

    expect(empty).toMatchObject({
      code: 'unreachable',
      message:
        `${peer.restUrl}: LND's answer about payment ${HASH} ended before saying anything, so its state ` +
        `is unknown (not "no record"); call lookupPayment('${HASH}') again.`,
    });
    expect(none).toBeUndefined();
  });
});

describe('lookupInvoice reads "no record" only from LND’s own NotFound', () => {
  it.each(pages)('throws on %s instead of answering undefined', async (_, page, expected) => {
    peer = await startHostileLnd((_req, res) => page(res));

    const err = await peer
      .node({ retry: { maxWaitMs: 0 } })
      .lookupInvoice(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject(expected(INVOICE_WHERE(peer.restUrl)) as object);
  });
});

describe('waitForPayment (tracking by hash) reads "no record" only from LND’s own NotFound', () => {
  it('on Go’s "404 page not found" throws lnd_error at once, after one request', async () => {
    peer = await startHostileLnd((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    });

    const err = await peer
      .node()
      .waitForPayment(HASH, 5_000)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'lnd_error',
      message: `${TRACK_WHERE(peer.restUrl)}: HTTP 404 (404 page not found\n) ${NOT_LND_404}`,
    });
    expect(peer.requests).toEqual([`GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=true`]);
  });

  it('on a proxy’s 502 "upstream host not found" asks again until its 1 s deadline, then throws unreachable: the payment is unresolved', async () => {
    peer = await startHostileLnd((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>502 Bad Gateway: upstream host not found</html>');
    });

    const err = await peer
      .node()
      .waitForPayment(HASH, 1_000)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'unreachable',
      message:
        `payment ${HASH} is unresolved: ${peer.restUrl} did not come back in time ` +
        `(${TRACK_WHERE(peer.restUrl)}: <html>502 Bad Gateway: upstream host not found</html>). ` +
        `It may still complete; call lookupPayment('${HASH}') once the node is up.`,
    });
  });
});
