/**
 * waitForLnd (infra/regtest/lnd-admin.ts) reads a node's tls.cert and admin.macaroon as
 * LndNode.fromFiles does (infra/lightning/lnd/lnd-files.ts): only regular files of at most
 * 64 KiB. A FIFO would hang the bring-up (opening it waits for a writer), a huge file would be
 * read whole; both are refused at once as bad_config naming the file. No LND is needed: the
 * files are refused before any call.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LndError } from '../../infra/lightning/lnd/index.js';
import { MAX_LND_FILE_BYTES } from '../../infra/lightning/lnd/lnd-files.js';
import { waitForLnd } from '../../infra/regtest/lnd-admin.js';
import { systemClock } from '../../infra/time/clock.js';
import { CERT, pause } from './hostile-lnd.js';

let dir: string;
let fifo: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'l402-admin-files-'));
});
afterEach(() => {
  // A reader stuck on the FIFO (the unbounded read) is let go by a writer that opens and closes it.
  if (fifo) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader: nothing is stuck.
    }
  }
  fifo = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** What waitForLnd ends with within 3 s of wall time (a port nothing listens on: no LND). */
async function outcome(tlsCertPath: string, macaroonPath: string): Promise<unknown> {
  const files = { restUrl: 'https://127.0.0.1:1', tlsCertPath, macaroonPath };
  return Promise.race([
    waitForLnd(files, { clock: systemClock, timeoutMs: 2_000 }).catch((e: unknown) => e),
    pause(3_000).then(() => 'still waiting after 3 s'),
  ]);
}

describe('waitForLnd reads only small regular files', () => {
  it('refuses a FIFO as admin.macaroon at once: bad_config "cannot read macaroon at <path>: not a regular file"', async () => {
    writeFileSync(join(dir, 'tls.cert'), CERT);
    fifo = join(dir, 'admin.macaroon');
    execFileSync('mkfifo', [fifo]);

    const err = await outcome(join(dir, 'tls.cert'), fifo);

    expect(err).toBeInstanceOf(LndError);
    expect(err).toMatchObject({
      code: 'bad_config',
      message: `cannot read macaroon at ${fifo}: not a regular file; give the path of the node's macaroon file`,
    });
  });

  it('refuses an admin.macaroon of 64 KiB + 1 byte at once: bad_config "cannot read macaroon at <path>: 65537 bytes, over the 65536 …"', async () => {
    writeFileSync(join(dir, 'tls.cert'), CERT);
    const macaroon = join(dir, 'admin.macaroon');
    writeFileSync(macaroon, '');
    truncateSync(macaroon, MAX_LND_FILE_BYTES + 1);

    const err = await outcome(join(dir, 'tls.cert'), macaroon);

    expect(err).toBeInstanceOf(LndError);
    expect(err).toMatchObject({
      code: 'bad_config',
      message: `cannot read macaroon at ${macaroon}: 65537 bytes, over the 65536 a macaroon file may have; is this the right file?`,
    });
  });
});
