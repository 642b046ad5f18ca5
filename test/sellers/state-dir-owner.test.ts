/**
 * A seller's state directory holds the secret its tokens are minted from: the seller starts only on
 * a directory and a root key that are its own user's (infra/private-file.ts). The red team, as uid
 * 65534, prepared the directory a root seller was then given, with a root key of its choosing, and
 * minted tokens that seller served without payment.
 */
import { chmod, chown, mkdir, mkdtemp, realpath, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSeller } from '../../services/sellers/index.js';
import { makeWorld } from '../paywall/helpers.js';

const NOBODY = 65534;
const NOT_ROOT =
  process.getuid?.() === 0
    ? undefined
    : 'giving a file to uid 65534 (chown) needs root; CI (.ci/run) runs as root';
/** A test that makes files another user's: run as root only, skipped with the reason otherwise. */
const asRoot = (name: string, fn: () => Promise<void>) =>
  NOT_ROOT === undefined ? it(name, fn) : it.skip(`${name} (skipped: ${NOT_ROOT})`, fn);

/** A root key whose secret others know. */
const KNOWN_KEY = `${'ab'.repeat(32)}\n`;

const ownDir = () => mkdtemp(join(tmpdir(), 'seller-private-'));

/** Starts a data-feed seller on the state directory `dir`. */
const sellerOn = (dir: string) => {
  const w = makeWorld();
  return createSeller(
    { archetype: 'data-feed', price: { kind: 'fixed', msat: 10_000 } },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller'), stateDir: dir },
  );
};

/** A state directory a first seller made and closed: its root key and its quota counters. */
async function usedStateDir(): Promise<string> {
  const dir = join(await ownDir(), 'state');
  await (await sellerOn(dir)).close();
  return dir;
}

describe('a seller does not start', () => {
  asRoot(
    'on a state directory uid 65534 prepared (mode 0700, its 0600 root key of a known secret, empty quota counters): invalid_seller_state naming it and the fix',
    async () => {
      const dir = join(await ownDir(), 'planted');
      await mkdir(dir, { mode: 0o700 });
      await writeFile(join(dir, 'root-key'), KNOWN_KEY, { mode: 0o600 });
      await writeFile(join(dir, 'quotas.jsonl'), '', { mode: 0o600 });
      for (const p of [dir, join(dir, 'root-key'), join(dir, 'quotas.jsonl')]) await chown(p, NOBODY, NOBODY);
      await expect(sellerOn(dir)).rejects.toMatchObject({
        code: 'invalid_seller_state',
        message:
          `seller state directory ${dir} belongs to uid 65534, not to uid 0 this process runs as: its owner can ` +
          `replace the files kept in it; use a directory of your own (or, if it is yours, run chown 0 ${dir})`,
      });
    },
  );

  it('on a state directory others may write (mode 0777): invalid_seller_state naming it and the fix', async () => {
    const dir = await usedStateDir();
    await chmod(dir, 0o777);
    await expect(sellerOn(dir)).rejects.toMatchObject({
      code: 'invalid_seller_state',
      message:
        `seller state directory ${dir} has mode 0777: others than its owner may create and replace files in it; ` +
        `run chmod go-w ${dir}, or use a directory of your own`,
    });
  });

  it('on a state directory that is a symbolic link: invalid_seller_state naming where it points', async () => {
    const dir = await usedStateDir();
    const link = join(await ownDir(), 'state');
    await symlink(dir, link);
    await expect(sellerOn(link)).rejects.toMatchObject({
      code: 'invalid_seller_state',
      message:
        `seller state directory ${link} is a symbolic link (to ${await realpath(dir)}): whoever may change the ` +
        'link chooses where the files kept in it go; give the directory itself, or another directory of your own',
    });
  });

  it('with a root key that is a symbolic link (to a 0600 key file of the same user): invalid_seller_state naming it and the fix', async () => {
    const dir = await usedStateDir();
    const key = join(dir, 'root-key');
    const elsewhere = join(await ownDir(), 'root-key');
    await rename(key, elsewhere);
    await symlink(elsewhere, key);
    await expect(sellerOn(dir)).rejects.toMatchObject({
      code: 'invalid_seller_state',
      message:
        `${key} is a symbolic link: whoever may change the link chooses the file read and written here, and ` +
        "whoever reads it can mint this seller's tokens; replace the link with the file itself",
    });
  });

  asRoot(
    'with a root key owned by uid 65534 (mode 0600) in its own directory: invalid_seller_state naming it and the fix',
    async () => {
      const dir = await usedStateDir();
      const key = join(dir, 'root-key');
      await writeFile(key, KNOWN_KEY);
      await chown(key, NOBODY, NOBODY);
      await expect(sellerOn(dir)).rejects.toMatchObject({
        code: 'invalid_seller_state',
        message:
          `${key} belongs to uid 65534, not to uid 0 this process runs as: that user may have written or read it, ` +
          `and whoever reads it can mint this seller's tokens; if it is yours, run chown 0 ${key}, otherwise remove it ` +
          '(and if others did read it, remove the directory to start afresh)',
      });
    },
  );
});
