import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { CERT, HASH, invoice, answer, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

/** A macaroon's first bytes as LND writes them (binary; version byte 0x02). */
const MACAROON = Buffer.from('0201036c6e640258030a10', 'hex');

let dir: string;
let peer: HostileLnd | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnd-files-'));
  writeFileSync(join(dir, 'tls.cert'), CERT);
});
afterEach(async () => {
  await peer?.close();
  peer = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const files = (macaroonPath: string, tlsCertPath = join(dir, 'tls.cert')) => ({
  restUrl: 'https://127.0.0.1:1',
  tlsCertPath,
  macaroonPath,
});
const refusal = (paths: ReturnType<typeof files>) => LndNode.fromFiles(paths).catch((e: unknown) => e);

describe('LndNode.fromFiles reads only small regular files', () => {
  it('refuses a 300 MB macaroon file as bad_config naming its path and size, without reading it', async () => {
    const big = join(dir, 'big.macaroon');
    writeFileSync(big, '');
    truncateSync(big, 300 * 1024 * 1024); // sparse: no disk used

    expect(await refusal(files(big))).toMatchObject({
      code: 'bad_config',
      message: `cannot read macaroon at ${big}: 314572800 bytes, over the 65536 a macaroon file may have; is this the right file?`,
    });
  });

  it('refuses a directory given as tlsCertPath as bad_config: not a regular file', async () => {
    writeFileSync(join(dir, 'admin.macaroon'), MACAROON);

    expect(await refusal(files(join(dir, 'admin.macaroon'), dir))).toMatchObject({
      code: 'bad_config',
      message: `cannot read tls.cert at ${dir}: not a regular file; give the path of the node's tls.cert file`,
    });
  });

  it('refuses a FIFO given as macaroonPath at once (opening it would wait for a writer)', async () => {
    const fifo = join(dir, 'admin.macaroon');
    execFileSync('mkfifo', [fifo]);

    expect(await refusal(files(fifo))).toMatchObject({
      code: 'bad_config',
      message: `cannot read macaroon at ${fifo}: not a regular file; give the path of the node's macaroon file`,
    });
  });

  it('says ~ is not expanded when a path starting with ~ is missing', async () => {
    expect(await refusal(files(join(dir, 'none'), '~/.lnd/tls.cert'))).toMatchObject({
      code: 'bad_config',
      message:
        "cannot read tls.cert at ~/.lnd/tls.cert: ENOENT: no such file or directory, stat '~/.lnd/tls.cert' " +
        '(~ is not expanded: give the full path)',
    });
  });
});

describe('the macaroon LND receives', () => {
  it('from a macaroon file of hex text with a newline (xxd -p -c0) is the macaroon, as from the binary file LND writes: 0201036c6e640258030a10 both times', async () => {
    const seen: Array<string | string[] | undefined> = [];
    peer = await startHostileLnd((req, res) => {
      seen.push(req.headers['grpc-metadata-macaroon']);
      answer(res, 200, invoice());
    });
    writeFileSync(join(dir, 'admin.macaroon'), MACAROON);
    writeFileSync(join(dir, 'admin.macaroon.hex'), `${MACAROON.toString('hex')}\n`);

    for (const name of ['admin.macaroon', 'admin.macaroon.hex']) {
      const node = await LndNode.fromFiles({ ...files(join(dir, name)), restUrl: peer.restUrl });
      await node.lookupInvoice(HASH);
      await node.close();
    }

    expect(seen).toEqual(['0201036c6e640258030a10', '0201036c6e640258030a10']);
  });
});
