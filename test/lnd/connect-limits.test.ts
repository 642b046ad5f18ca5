import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { CERT, HASH, HASH_B64URL } from './hostile-lnd.js';

const ADVICE =
  "the request was abandoned. Is lnd overloaded or stuck? (limits.callTimeoutMs and the call's timeout set how long to wait)";

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A TCP listener that accepts connections and never starts TLS (a wedged port, a wrong service). */
async function silentTcp(): Promise<string> {
  server = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('callTimeoutMs holds while the TLS connection is being set up', () => {
  it('lookupInvoice on a port that accepts TCP and never speaks TLS throws timeout after its 1 s callTimeoutMs, not undici’s 10 s connect timeout', async () => {
    const restUrl = await silentTcp();
    const node = new LndNode({
      connection: { restUrl, tlsCert: CERT, macaroon: '0201' },
      limits: { callTimeoutMs: 1_000 },
    });
    const t0 = performance.now();

    const err = await node.lookupInvoice(HASH).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    await node.close();

    expect(err).toMatchObject({
      code: 'timeout',
      message: `LND ${restUrl} GET /v1/invoice/${HASH}: LND gave no final answer within 1000 ms; ${ADVICE}`,
    });
    expect(ms).toBeLessThan(5_000);
  });

  it('lookupPayment (a stream) on that port throws timeout after its 1 s: LND sent nothing for 1000 ms', async () => {
    const restUrl = await silentTcp();
    const node = new LndNode({
      connection: { restUrl, tlsCert: CERT, macaroon: '0201' },
      limits: { callTimeoutMs: 1_000 },
    });
    const t0 = performance.now();

    const err = await node.lookupPayment(HASH).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    await node.close();

    expect(err).toMatchObject({
      code: 'timeout',
      message: `LND ${restUrl} GET /v2/router/track/${HASH_B64URL}: LND sent nothing for 1000 ms; ${ADVICE}`,
    });
    expect(ms).toBeLessThan(5_000);
  });
});

describe('a process out of file descriptors', () => {
  it('gets unreachable "too many open connections to LND", not "Is lnd running and is restUrl right?"', () => {
    const child = fileURLToPath(new URL('./out-of-files-child.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const out = execFileSync('bash', ['-c', 'ulimit -n 256 && exec "$0" "$1"', tsx, child], {
      encoding: 'utf8',
    });

    const err = JSON.parse(out.trim().split('\n').pop()!) as { code: string; message: string };
    expect(err.code).toBe('unreachable');
    expect(err.message).toMatch(
      new RegExp(
        `^LND https://127\\.0\\.0\\.1:1 GET /v1/invoice/${HASH}: too many open connections to LND: ` +
          `this process has no file descriptors left \\(EMFILE: .*\\)\\. ` +
          `Close what holds them or raise the open-file limit \\(ulimit -n\\)\\.$`,
      ),
    );
  });
});

describe('a restUrl with a user name and password', () => {
  it('is refused (http://) without showing the password', () => {
    const connection = { restUrl: 'http://admin:s3cretpass@127.0.0.1:8080', tlsCert: CERT, macaroon: '0201' };

    const err = (() => {
      try {
        return new LndNode({ connection });
      } catch (e) {
        return e;
      }
    })();

    expect(err).toMatchObject({
      code: 'bad_config',
      message:
        "restUrl must be https:// (LND's REST is TLS-only), got http://127.0.0.1:8080/ " +
        '(its user name and password not shown)',
    });
  });

  it('that is not a URL is refused without showing the password', () => {
    const connection = {
      restUrl: 'https://admin:s3cretpass@127.0.0.1:port',
      tlsCert: CERT,
      macaroon: '0201',
    };

    expect(() => new LndNode({ connection })).toThrow('restUrl "https://…@127.0.0.1:port" is not a URL');
  });
});
