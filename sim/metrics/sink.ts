import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Where rows and events go while a run is in progress. Files are written
 * through a buffer with synchronous writes: nothing is held per row (a million
 * rows stream straight to disk), and no I/O callback ever wakes the event loop
 * of a virtual-time run.
 */
export interface TextSink {
  write(text: string): void;
  close(): void;
}

/**
 * A buffered file writer (flushes every `bufferBytes`). With `deferOpen` the
 * file is not created until `open()` (or `close()`): what is written before
 * stays in memory, so a run that fails while its market is set up leaves no
 * file (`discard()`).
 */
export class FileSink implements TextSink {
  #fd: number | undefined;
  #opened = false;
  #closed = false;
  #chunks: string[] = [];
  #size = 0;

  constructor(
    readonly path: string,
    readonly bufferBytes = 1 << 20,
    { deferOpen = false }: { deferOpen?: boolean } = {},
  ) {
    if (!deferOpen) this.open();
  }

  /** Creates (or truncates) the file and writes what is buffered past `bufferBytes`; once. */
  open(): void {
    if (this.#opened) return;
    this.#opened = true;
    this.#fd = openSync(this.path, 'w');
    if (this.#size >= this.bufferBytes) this.#flush();
  }

  /** Whether the file was created. */
  get opened(): boolean {
    return this.#opened;
  }

  write(text: string): void {
    if (this.#closed) throw new Error(`${this.path}: write after close`);
    this.#chunks.push(text);
    this.#size += text.length;
    if (this.#size >= this.bufferBytes) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#chunks.length === 0) return;
    writeSync(this.#fd, this.#chunks.join(''));
    this.#chunks = [];
    this.#size = 0;
  }

  /** Writes what is buffered and closes the file (opening it first if it was deferred). */
  close(): void {
    if (this.#closed) return;
    this.open();
    this.#flush();
    this.#end();
  }

  /** Closes an opened file with what it holds; an unopened one is never created. */
  discard(): void {
    if (this.#closed) return;
    this.#flush();
    this.#end();
  }

  #end(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#closed = true;
    this.#chunks = [];
  }
}

/** Discards everything (sweeps and benchmarks keep only aggregates). */
export const nullSink: TextSink = { write: () => {}, close: () => {} };

/** Keeps everything in memory (small runs, tests of the writers). */
export class MemorySink implements TextSink {
  readonly chunks: string[] = [];
  write(text: string): void {
    this.chunks.push(text);
  }
  close(): void {}
  text(): string {
    return this.chunks.join('');
  }
}
