/**
 * A seller's state directory: what must outlive its process for the tokens
 * it sold to keep working, with the calls they have left.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isLabError, LabError } from '../../infra/errors.js';
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

/**
 * Opens the state directory `dir` (created, mode 0700, when missing): its
 * quota counters, under their lock (a second seller on the directory is
 * refused, LabError 'seller_state_in_use'), then its root key, created on
 * first start. The two go together: a key without counters would hand the
 * calls of every token sold out again, counters without their key would
 * count for tokens that no longer verify; either is refused, as is a key
 * file that others than its owner may read or write, or that does not hold
 * 64 hex digits (LabError 'invalid_seller_state').
 */
export async function openSellerState(dir: string): Promise<SellerState> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
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
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw invalid(
      `${path} has mode ${mode.toString(8).padStart(4, '0')}: others than its owner may use it, and whoever reads it ` +
        `can mint this seller's tokens; run chmod 600 ${path} (and if others did read it, remove the directory to start afresh)`,
    );
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${path}: ${(err as Error).message}; run the seller as the user who owns it`);
  }
  if (!/^[0-9a-f]{64}\n?$/.test(text))
    throw invalid(
      `${path} does not hold a root key (64 lowercase hex digits): restore it from a backup, ` +
        'or remove the directory to start afresh (every token sold so far stops working)',
    );
  return new Uint8Array(Buffer.from(text.slice(0, 64), 'hex'));
}

/** A new key from the OS CSPRNG, written to a temporary file (mode 0600), fsynced, renamed into place durably. */
async function createRootKey(path: string): Promise<Uint8Array> {
  const secret = randomBytes(32);
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${secret.toString('hex')}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dirname(path), 'r');
  await d.sync().finally(() => d.close());
  return new Uint8Array(secret);
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const invalid = (message: string) => new LabError<SellerStateErrorCode>('invalid_seller_state', message);
