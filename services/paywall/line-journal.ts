import { open, readFile, type FileHandle } from 'node:fs/promises';
import { LabError } from '../../infra/errors.js';
import { replacePrivateFile } from '../../infra/private-file.js';

/** Codes of `LineJournal` errors. */
export type LineJournalErrorCode = 'journal_unreadable' | 'journal_corrupt' | 'journal_closed';

/** Lines waiting to be written, and who waits for them. */
interface Waiting {
  text: string;
  done: { resolve: () => void; reject: (err: unknown) => void }[];
}

/**
 * A file of JSON lines, written by one writer at a time (group commit): the
 * lines appended while a write is under way go together in the next one,
 * appended and fdatasynced, and each `append` resolves once its line is on
 * disk. `rewrite` replaces the whole file with lines the caller takes as
 * covering every line appended before it (`replacePrivateFile`: a temporary
 * file, mode 0600, created exclusively under a random name, fsynced, renamed
 * over `path`, the directory fsynced: a crash leaves the old file or the new
 * one). The caller keeps other processes out (a lock) while it is open.
 */
export class LineJournal<T> {
  readonly path: string;
  readonly #what: string;
  #fh: FileHandle | undefined;
  #closed = false;
  /** Bytes written to the file, and queued to be. */
  #bytes = 0;
  #queue: Waiting = { text: '', done: [] };
  #replacement: Waiting | undefined;
  #writing: Promise<void> | undefined;

  private constructor(path: string, what: string) {
    this.path = path;
    this.#what = what;
  }

  /**
   * Reads the journal at `path` (none: no lines) and replaces it with `rewrite(lines)`. A last line
   * without its newline is a write cut short and is dropped; any other line `isLine` refuses is a
   * LabError('journal_corrupt') naming the file (`what` says what it holds) and the line.
   */
  static async open<T>(
    path: string,
    what: string,
    isLine: (v: unknown) => v is T,
    rewrite: (lines: T[]) => Iterable<T>,
  ): Promise<LineJournal<T>> {
    const j = new LineJournal<T>(path, what);
    const lines = (await j.#read()).split('\n');
    lines.pop();
    await j.rewrite(rewrite(lines.map((line, i) => j.#parse(line, i + 1, isLine))));
    return j;
  }

  /** Bytes of the file once what is queued is written. */
  get bytes(): number {
    return this.#bytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues `line`; resolves once it is on disk. */
  append(line: T): Promise<void> {
    this.#check();
    return this.#wait(this.#queue, `${JSON.stringify(line)}\n`);
  }

  /** Replaces the file with `lines` (read now), which cover every line appended so far. */
  rewrite(lines: Iterable<T>): Promise<void> {
    this.#check();
    let text = '';
    for (const line of lines) text += `${JSON.stringify(line)}\n`;
    const done = [...(this.#replacement?.done ?? []), ...this.#queue.done];
    this.#replacement = { text: '', done };
    this.#queue = { text: '', done: [] };
    this.#bytes = 0;
    return this.#wait(this.#replacement, text);
  }

  /** Waits for every write queued, then closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing) await this.#writing.catch(() => {});
    await this.#fh?.close();
    this.#fh = undefined;
  }

  #wait(into: Waiting, text: string): Promise<void> {
    into.text += text;
    this.#bytes += Buffer.byteLength(text);
    const p = new Promise<void>((resolve, reject) => into.done.push({ resolve, reject }));
    this.#kick();
    return p;
  }

  /** Starts the writer unless it runs; what was queued as it finished starts it again. */
  #kick(): void {
    if (this.#writing) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = undefined;
      if (this.#replacement || this.#queue.done.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#replacement || this.#queue.done.length > 0) {
      const replacement = this.#replacement;
      const batch = replacement ?? this.#queue;
      if (replacement) this.#replacement = undefined;
      else this.#queue = { text: '', done: [] };
      try {
        await (replacement ? this.#replace(batch.text) : this.#append(batch.text));
        for (const d of batch.done) d.resolve();
      } catch (err) {
        for (const d of batch.done) d.reject(err);
      }
    }
  }

  async #append(text: string): Promise<void> {
    const fh = this.#fh!;
    const { size } = await fh.stat();
    try {
      await fh.appendFile(text);
      await fh.datasync();
    } catch (err) {
      // No part of the lines stays for the next ones to follow (a full disk, say).
      await fh.truncate(size).catch(() => {});
      throw err;
    }
  }

  async #replace(text: string): Promise<void> {
    await replacePrivateFile(this.path, [text]);
    await this.#fh?.close();
    this.#fh = await open(this.path, 'a', 0o600);
  }

  #check(): void {
    if (this.#closed)
      throw new LabError<LineJournalErrorCode>('journal_closed', `${this.#what} ${this.path} is closed`);
  }

  async #read(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      const why = (err as Error).message;
      throw new LabError<LineJournalErrorCode>(
        'journal_unreadable',
        `cannot read ${this.#what} ${this.path}: ${why}; make it readable by this user`,
        { cause: err },
      );
    }
  }

  #parse(line: string, n: number, isLine: (v: unknown) => v is T): T {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    if (isLine(v)) return v;
    throw new LabError<LineJournalErrorCode>(
      'journal_corrupt',
      `${this.#what} ${this.path}: line ${n} is not a record of it, so what it held is unknown; ` +
        'restore the file from a backup, or move it away to start without it',
    );
  }
}
