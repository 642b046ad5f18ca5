import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeFile, replaceFile, syncDir } from '../../infra/durable-file.js';
import { readJournal, type ReadJournal } from './journal.js';
import { readDataFile } from './data-file.js';

/**
 * The journal file: complete lines, appended and fsynced one write at a
 * time (the caller serializes writes; each opens the file and closes it, so
 * no handle outlives a write). Bytes after the last complete line (a torn
 * line from a crash, or what a failed write left) are cut off before the
 * next write, so a new line never follows a partial one.
 */
export class JournalFile {
  readonly path: string;
  /** Bytes of complete lines, once known. */
  #size: number | undefined;
  /** Whether bytes past `#size` may be in the file. */
  #cut = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Bytes of complete lines (0 before the file was read). */
  get size(): number {
    return this.#size ?? 0;
  }

  /**
   * The journal's changes after `afterSeq` (see `readJournal`); an absent file is an empty journal,
   * a path that is not a file (a directory) `not_a_file`.
   */
  async read(afterSeq: number): Promise<ReadJournal> {
    const bytes = (await readDataFile(this.path)) ?? Buffer.alloc(0);
    const read = readJournal(bytes, this.path, afterSeq);
    this.#size = read.completeBytes;
    this.#cut = read.tornBytes > 0;
    return read;
  }

  /** Appends `text` (whole lines) and resolves once it is durable. */
  async append(text: string): Promise<void> {
    const size = this.#size ?? (await this.read(0)).completeBytes;
    const dir = dirname(this.path);
    if (size === 0) await mkdir(dir, { recursive: true });
    const fh = await open(this.path, 'a');
    try {
      if (this.#cut) await fh.truncate(size);
      this.#cut = true; // until the write is durable
      await fh.appendFile(text);
      await fh.datasync();
      // The file may be new: its name must survive a crash as its lines do.
      if (size === 0) await syncDir(dir);
      this.#cut = false;
    } finally {
      await fh.close();
    }
    this.#size = size + Buffer.byteLength(text);
  }

  /**
   * Replaces the journal with `text` (whole lines), atomically (`replaceFile`, infra/durable-file.ts:
   * through a temporary file created exclusively under a random name); no text removes the file.
   */
  async replace(text: string): Promise<void> {
    if (text === '') await removeFile(this.path);
    else {
      await mkdir(dirname(this.path), { recursive: true });
      await replaceFile(this.path, [text]);
    }
    this.#size = Buffer.byteLength(text);
    this.#cut = false;
  }
}
