/**
 * A 401 or 403 not in LND's words (a proxy in front of LND, another server at restUrl) is a
 * refusal of the request's credentials (`unauthorized`), for every call, as LND's own refusals
 * are: asking again with the same macaroon cannot succeed, and the message says what to check.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HASH, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const ADVICE = `refused the request's credentials, not in LND's words: check that restUrl is this LND's REST address and macaroonPath its admin.macaroon.`;

const refusals: Array<[number, string, (res: ServerResponse) => void]> = [
  [
    401,
    'Unauthorized',
    (res) => {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="proxy"' });
      res.end('Unauthorized');
    },
  ],
  [
    403,
    'Forbidden',
    (res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Forbidden');
    },
  ],
];

describe('a proxy’s bare 401/403 is unauthorized for calls other than the invoice feed', () => {
  it.each(refusals)(
    'lookupInvoice answered HTTP %i "%s" throws unauthorized after one request',
    async (status, body, page) => {
      peer = await startHostileLnd((_req, res) => page(res));

      const err = await peer
        .node({ retry: { maxWaitMs: 0 } })
        .lookupInvoice(HASH)
        .catch((e: unknown) => e);

      expect(err).toMatchObject({
        code: 'unauthorized',
        status,
        message: `LND ${peer.restUrl} GET /v1/invoice/${HASH}: HTTP ${status} (${body}) ${ADVICE}`,
      });
      expect(peer.requests).toEqual([`GET /v1/invoice/${HASH}`]);
    },
  );

  it.each(refusals)('info answered HTTP %i "%s" throws unauthorized', async (status, body, page) => {
    peer = await startHostileLnd((_req, res) => page(res));

    const err = await peer
      .node({ retry: { maxWaitMs: 0 } })
      .info()
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'unauthorized',
      status,
      message: `LND ${peer.restUrl} GET /v1/getinfo: HTTP ${status} (${body}) ${ADVICE}`,
    });
  });
});
