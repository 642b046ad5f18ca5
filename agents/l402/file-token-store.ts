import { dirname } from 'node:path';
import { MemoryTokenStore, type StoredToken } from './token-store.js';
import { LabError } from '../../infra/errors.js';
import { lockFile, type FileLock } from '../../infra/file-lock.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import {
  ensurePrivateDir,
  readPrivateFile,
  replacePrivateFile,
  type PrivateFileUse,
} from '../../infra/private-file.js';

/**
 * The file: every token, paid ones then pending ones. One scope may list its
 * paid tokens (one per method set) and several pending ones (each its own
 * payment); read back, a pending token is kept by payment hash, a paid one per
 * scope and method set (the last wins). A token without `scheme` (written
 * before schemes were kept) is sent as `L402`.
 */
interface TokenFile {
  version: 1;
  tokens: StoredToken[];
}

/**
 * The file holds paid preimages: only its owner may read it (infra/private-file.ts). One that others
 * may read is narrowed to 0600 with a warning rather than refused (a root key is refused): what leaked
 * is the calls left on the tokens in it, no more, and refusing would keep the buyer from its paid
 * tokens and from completing pending payments; this store writes the file 0600 anyway.
 */
const tokenFile = (path: string, logger: Logger): PrivateFileUse => ({
  access: 'secret',
  risk: 'whoever reads it can spend the tokens paid for in it',
  ifUsed: 'and if others did read it, they can spend its paid tokens too: buy afresh',
  narrowed: (message, formerMode) => logger.warn({ path, formerMode: formerMode.toString(8) }, message),
});

/** What the directory of a token file is called in its refusals. */
const DIR_WHAT = 'token file directory';

/**
 * Tokens kept in memory and mirrored to one JSON file. Every write goes to a
 * temporary file (mode 0600, created exclusively under a random name) that is
 * then renamed over the old one, so a crash leaves either the old or the new
 * file, never half of one. The directory must be this user's own and closed
 * to writes by others, and the file this user's own and a regular file (not
 * a symbolic link): `open` refuses anything else (LabError 'unsafe_directory'
 * or 'unsafe_file', infra/private-file.ts), since whoever may plant names
 * beside the file could read or replace the paid tokens in it; a file group
 * or others may read is made 0600, with a warning to `options.logger`.
 * Writes are serialized; a burst of changes collapses into the latest
 * snapshot. One writer at a time: `open` takes the file's lock (`<path>.lock`) and refuses a file
 * another live process (or this one) has open, so two processes never pay
 * from one token file; a crashed owner's lock is taken over. `close` gives it up.
 *
 * @example
 * const tokens = await FileTokenStore.open(join(homedir(), '.cache/l402-lab/tokens.json'));
 */
export class FileTokenStore extends MemoryTokenStore {
  readonly path: string;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  readonly #lock: FileLock;

  private constructor(path: string, lock: FileLock) {
    super();
    this.path = path;
    this.#lock = lock;
  }

  /**
   * Opens (or starts) the file at `path` as its one writer, its directory
   * created (mode 0700, parents too) when missing. Throws
   * LabError('unsafe_directory' | 'unsafe_file') for a directory or file
   * others could change or read (see above), LabError('file_locked') while
   * another process has it open, and LabError('corrupt_token_file') if it
   * exists but is not a token file.
   */
  static async open(path: string, options: { logger?: Logger } = {}): Promise<FileTokenStore> {
    await ensurePrivateDir(dirname(path), DIR_WHAT);
    const lock = await lockFile(path, 'token file');
    try {
      return await FileTokenStore.#load(path, lock, options.logger ?? silentLogger);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  static async #load(path: string, lock: FileLock, logger: Logger): Promise<FileTokenStore> {
    const store = new FileTokenStore(path, lock);
    const text = await readPrivateFile(path, tokenFile(path, logger));
    if (text !== undefined) {
      let parsed: TokenFile;
      try {
        parsed = JSON.parse(text) as TokenFile;
      } catch (cause) {
        throw new LabError('corrupt_token_file', `token file ${path} is not JSON`, { cause });
      }
      if (parsed?.version !== 1 || !Array.isArray(parsed.tokens)) {
        throw new LabError('corrupt_token_file', `token file ${path} has no version 1 token list`);
      }
      for (const t of parsed.tokens) {
        if (
          typeof t?.origin !== 'string' ||
          typeof t.pathPrefix !== 'string' ||
          typeof t.macaroon !== 'string'
        ) {
          throw new LabError(
            'corrupt_token_file',
            `token file ${path} holds an entry without origin, pathPrefix or macaroon`,
          );
        }
        if (t.scheme !== undefined && t.scheme !== 'L402' && t.scheme !== 'LSAT') {
          throw new LabError(
            'corrupt_token_file',
            `token file ${path} holds an entry whose scheme is not L402 or LSAT`,
          );
        }
        store.insert({ ...t, callsUsed: t.callsUsed ?? 0 });
      }
    }
    return store;
  }

  /** Resolves when everything changed so far is on disk. */
  flush(): Promise<void> {
    return this.changed();
  }

  /** Writes what is left and gives up the file's lock (another process may open it then). */
  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await this.#lock.release();
  }

  protected override changed(): Promise<void> {
    this.#dirty = true;
    // Chain behind the write in progress; whichever write runs next takes the latest snapshot.
    const next = this.#writing.then(() => (this.#dirty ? this.#write() : undefined));
    // A failed write must not wedge the chain: mark dirty so the next change retries it.
    this.#writing = next.catch(() => {
      this.#dirty = true;
    });
    return next;
  }

  async #write(): Promise<void> {
    this.#dirty = false;
    const body: TokenFile = { version: 1, tokens: this.list() };
    await ensurePrivateDir(dirname(this.path), DIR_WHAT);
    await replacePrivateFile(this.path, [JSON.stringify(body, null, 2)]);
  }
}
