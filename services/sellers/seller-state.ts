/**
 * A seller's state directory: what must outlive its process for the tokens
 * it sold to keep working, with the calls they have left.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLabError, LabError } from '../../infra/errors.js';
import {
  ensurePrivateDir,
  readPrivateFile,
  replacePrivateFile,
  type PrivateFileUse,
} from '../../infra/private-file.js';
import { FileQuotaStore } from '../paywall/file-quota-store.js';

/** Codes of `openSellerState` errors. */
export type SellerStateErrorCode = 'seller_state_in_use' | 'invalid_seller_state';

/** The root key: 32 bytes from the OS CSPRNG, as 64 hex digits and a newline, mode 0600. */
export const ROOT_KEY_FILE = 'root-key';
/** The quota counters (`FileQuotaStore`'s journal). */
export const QUOTAS_FILE = 'quotas.jsonl';

/** An open state directory, held by this process until `close`. */
export interface SellerState {
  readonly dir: string;
  /** The secret every root key of the seller's tokens is derived from (`DerivedRootKeyStore`). */
  readonly rootSecret: Uint8Array;
  /** Call counters of the tokens sold, on disk. */
  readonly quotaStore: FileQuotaStore;
  /** Writes the counters out and lets another process take the directory. */
  close(): Promise<void>;
}

/** Whoever reads the root key can mint the seller's tokens (infra/private-file.ts). */
const ROOT_KEY_USE: PrivateFileUse = {
  access: 'secret',
  risk: "whoever reads it can mint this seller's tokens",
  ifUsed: 'and if others did read it, remove the directory to start afresh',
};

/**
 * Opens the state directory `dir` (created, mode 0700, parents too, when
 * missing): its quota counters, under their lock (a second seller on the
 * directory is refused, LabError 'seller_state_in_use'), then its root key,
 * created on first start. The two go together: a key without counters would
 * hand the calls of every token sold out again, counters without their key
 * would count for tokens that no longer verify; either is refused, as is a
 * directory that is a symbolic link, not this user's own or that others may
 * write (they could swap the counters, or plant a key they know), a key file
 * that is a symbolic link, another user's, or that others than its owner may
 * read or write, or that does not hold 64 hex digits (LabError
 * 'invalid_seller_state'). A `dir` that cannot be made or is not a directory
 * is an `UnusableDirectoryError` (LabError 'unusable_directory', infra/private-file.ts).
 */
export async function openSellerState(dir: string): Promise<SellerState> {
  await ensurePrivateDir(dir, 'seller state directory').catch(asInvalid);
  const keyPath = join(dir, ROOT_KEY_FILE);
  const quotasPath = join(dir, QUOTAS_FILE);
  const hadKey = await exists(keyPath);
  if (hadKey && !(await exists(quotasPath)))
    throw invalid(
      `${keyPath} has no ${QUOTAS_FILE} beside it: the calls its tokens used are unknown, and starting afresh would ` +
        `sell them again; restore ${quotasPath} from a backup, or remove ${dir} to start with a new key (every token sold so far stops working)`,
    );
  const quotaStore = await openQuotas(dir, quotasPath);
  try {
    if (!hadKey && quotaStore.size > 0)
      throw invalid(
        `${quotasPath} counts calls of tokens whose root key ${keyPath} is gone: restore the key from a backup, ` +
          `or remove ${dir} to start afresh (every token sold so far stops working)`,
      );
    const rootSecret = hadKey ? await readRootKey(keyPath) : await createRootKey(keyPath);
    return { dir, rootSecret, quotaStore, close: () => quotaStore.close() };
  } catch (err) {
    await quotaStore.close();
    throw err;
  }
}

async function openQuotas(dir: string, path: string): Promise<FileQuotaStore> {
  try {
    return await FileQuotaStore.open(path);
  } catch (err) {
    if (!isLabError(err, 'file_locked')) throw err;
    const owner = (await readFile(`${path}.lock`, 'utf8').catch(() => '')).split(/\s/)[0];
    const pid = owner
      ? `process ${owner}${owner === String(process.pid) ? ' (this one)' : ''}`
      : 'another process';
    throw new LabError<SellerStateErrorCode>(
      'seller_state_in_use',
      `seller state directory ${dir} is in use by ${pid}: one seller per state directory; ` +
        'stop that seller, or give this one its own directory (--state-dir)',
      { cause: err },
    );
  }
}

async function readRootKey(path: string): Promise<Uint8Array> {
  let text: string | undefined;
  try {
    text = await readPrivateFile(path, ROOT_KEY_USE);
  } catch (err) {
    if (isLabError(err, 'unsafe_file')) asInvalid(err);
    throw invalid(`cannot read ${path}: ${(err as Error).message}; run the seller as the user who owns it`);
  }
  if (text === undefined || !/^[0-9a-f]{64}\n?$/.test(text))
    throw invalid(
      `${path} does not hold a root key (64 lowercase hex digits): restore it from a backup, ` +
        'or remove the directory to start afresh (every token sold so far stops working)',
    );
  return new Uint8Array(Buffer.from(text.slice(0, 64), 'hex'));
}

/** A new key from the OS CSPRNG, written privately and durably (mode 0600, infra/private-file.ts). */
async function createRootKey(path: string): Promise<Uint8Array> {
  const secret = randomBytes(32);
  await replacePrivateFile(path, [`${secret.toString('hex')}\n`]);
  return new Uint8Array(secret);
}

/** Whether there is an entry at `path` (a symbolic link counts: it is refused when read). */
const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

const invalid = (message: string, cause?: unknown) =>
  new LabError<SellerStateErrorCode>('invalid_seller_state', message, { cause });

/** A private-file refusal (infra/private-file.ts), as this module's error, its message kept. */
function asInvalid(err: unknown): never {
  if (isLabError(err, 'unsafe_directory', 'unsafe_file')) throw invalid(err.message, err);
  throw err;
}
