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

/** A buffered file writer (flushes every `bufferBytes`). */
export class FileSink implements TextSink {
  #fd: number | undefined;
  #chunks: string[] = [];
  #size = 0;

  constructor(
    readonly path: string,
    readonly bufferBytes = 1 << 20,
  ) {
    this.#fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.#fd === undefined) throw new Error(`${this.path}: write after close`);
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

  close(): void {
    this.#flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
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
