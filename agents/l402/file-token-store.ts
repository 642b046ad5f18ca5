import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryTokenStore, type StoredToken } from './token-store.js';
import { LabError } from '../../infra/errors.js';
import { lockFile, type FileLock } from '../../infra/file-lock.js';

/**
 * The file: every token, paid ones then pending ones. One scope may list its
 * paid tokens (one per method set) and several pending ones (each its own
 * payment); read back, a pending token is kept by payment hash, a paid one per
 * scope and method set (the last wins).
 */
interface TokenFile {
  version: 1;
  tokens: StoredToken[];
}

/**
 * Tokens kept in memory and mirrored to one JSON file. Every write goes to a
 * temporary file that is then renamed over the old one, so a crash leaves
 * either the old or the new file, never half of one. Writes are serialized;
 * a burst of changes collapses into the latest snapshot. One writer at a
 * time: `open` takes the file's lock (`<path>.lock`) and refuses a file
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
  #seq = 0;
  readonly #lock: FileLock;

  private constructor(path: string, lock: FileLock) {
    super();
    this.path = path;
    this.#lock = lock;
  }

  /**
   * Opens (or starts) the file at `path` as its one writer. Throws
   * LabError('file_locked') while another process has it open, and
   * LabError('corrupt_token_file') if it exists but is not a token file.
   */
  static async open(path: string): Promise<FileTokenStore> {
    const lock = await lockFile(path, 'token file');
    try {
      return await FileTokenStore.#load(path, lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  static async #load(path: string, lock: FileLock): Promise<FileTokenStore> {
    const store = new FileTokenStore(path, lock);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
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
    const tmp = `${this.path}.tmp-${process.pid}-${this.#seq++}`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(tmp, JSON.stringify(body, null, 2), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
