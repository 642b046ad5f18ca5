import { lockFile, type FileLock } from '../../infra/file-lock.js';
import { LineJournal } from './line-journal.js';
import type { QuotaChange, QuotaUndo } from './quota-change.js';
import {
  MemoryQuotaStore,
  type QuotaResult,
  type QuotaStore,
  type QuotaStoreLimits,
  type QuotaSubject,
  type ReleaseResult,
} from './quota-store.js';
import { UnwrittenChanges } from './unwritten-changes.js';

/**
 * One journal line: new values of some counters of token `t`. `u` present: the token's counters
 * start afresh, kept until `u` (null: for ever); `x`: they are dropped (`forget`).
 */
interface Change {
  t: string;
  u?: number | null;
  used?: Record<string, number>;
  back?: Record<string, number>;
  x?: 1;
}

/** Options of `FileQuotaStore.open`. */
export interface FileQuotaStoreOptions extends QuotaStoreLimits {
  /** Journal bytes below which it is never rewritten (default 1 MiB); above, once it is twice the last rewrite. */
  compactFloorBytes?: number;
}

/**
 * A `QuotaStore` whose counters survive a restart: a `MemoryQuotaStore` counts
 * (reservations by copies, the counter bound per token, give-backs and their
 * bound, `forget`, counters kept until `validUntilMs`), the check and the
 * count one synchronous step in memory, and tells this store each change it
 * makes (quota-change.ts). Each change is one JSON line of the journal at
 * `path` (line-journal.ts: the lines of calls arriving together written and
 * fdatasynced together), and `consume` or `release` resolves once its line is
 * on disk, so a call is counted there before it runs. A write that fails (a
 * full disk) undoes the change in memory before it rejects them
 * (unwritten-changes.ts): a call refused for it was not counted, so its retry
 * with the same token is counted afresh, and a give-back refused for it left
 * the call counted, as the answer said. The journal is then rewritten from
 * memory before the next change is written (a line written after the one
 * that failed may hold counts undone since). Opening replays the journal
 * into the memory store, dropping a torn last line (the process died inside
 * that write: the call it counted never ran). Once the journal outgrows
 * `compactFloorBytes` and twice its last rewrite, it is rewritten as one line
 * per token, tokens whose counters have expired dropped: it grows with the
 * counters kept, as the memory store does, not with the calls. A lock (`<path>.lock`, infra/file-lock.ts) keeps a
 * second opener out, LabError('file_locked'); `close` releases it. A bad line
 * before the last: LabError('journal_corrupt').
 */
export class FileQuotaStore implements QuotaStore {
  readonly path: string;
  readonly #counters: MemoryQuotaStore;
  readonly #floor: number;
  readonly #lock: FileLock;
  #journal!: LineJournal<Change>;
  readonly #unwritten: UnwrittenChanges;
  /** The write of the change the call under way made, if it made one (rejects once it is undone). */
  #written: Promise<void> | undefined;
  #compactAt = 0;
  /** A write failed: the journal is rewritten from memory before the next change is written. */
  #rewriteDue = false;
  #nowMs = Number.NEGATIVE_INFINITY;

  private constructor(path: string, lock: FileLock, o: FileQuotaStoreOptions) {
    this.path = path;
    this.#lock = lock;
    this.#floor = o.compactFloorBytes ?? 1024 * 1024;
    // The line is queued before the change is made: a journal that refuses it (closed) leaves it unmade.
    const onChange = (c: QuotaChange, undo: QuotaUndo) =>
      void (this.#written = this.#unwritten.track(undo, this.#journal.append(toLine(c, false))));
    this.#counters = new MemoryQuotaStore({ maxCountersPerToken: o.maxCountersPerToken, onChange });
    this.#unwritten = new UnwrittenChanges(
      (u) => this.#counters.undo(u),
      () => (this.#rewriteDue = true),
    );
  }

  /** Takes the lock of `path`, replays its journal (none yet: no counters) and rewrites it. */
  static async open(path: string, options: FileQuotaStoreOptions = {}): Promise<FileQuotaStore> {
    const lock = await lockFile(path, 'quota counters');
    try {
      const store = new FileQuotaStore(path, lock, options);
      const replay = (lines: Change[]) => {
        for (const line of lines) store.#counters.apply(fromLine(line));
        return store.#lines();
      };
      store.#journal = await LineJournal.open(path, 'quota counters', isChange, replay);
      store.#compactAt = Math.max(store.#floor, 2 * store.#journal.bytes);
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Checks and counts at once, in the memory store; a counted call resolves once it is on disk. */
  consume(token: QuotaSubject, nowMs: number): QuotaResult | Promise<QuotaResult> {
    this.#nowMs = Math.max(this.#nowMs, nowMs);
    if (this.#rewriteDue) this.#rewrite();
    return this.#settle(this.#counters.consume(token, nowMs));
  }

  release(
    token: QuotaSubject,
    maxGivenBack: number | undefined,
    notRun = false,
  ): ReleaseResult | Promise<ReleaseResult> {
    if (this.#rewriteDue) this.#rewrite();
    return this.#settle(this.#counters.release(token, maxGivenBack, notRun));
  }

  used(key: string): number {
    return this.#counters.used(key);
  }

  forget(tokenId: string): Promise<void> | undefined {
    if (this.#rewriteDue) this.#rewrite();
    this.#counters.forget(tokenId);
    return this.#written && this.#settle(undefined);
  }

  /** Number of counters held. */
  get size(): number {
    return this.#counters.size;
  }

  /** Rewrites the journal, closes it and releases the lock; the store takes no more calls. */
  async close(): Promise<void> {
    if (this.#journal.closed) return;
    await this.#compact();
    await this.#journal.close();
    await this.#lock.release();
  }

  /** `result` now when the call changed nothing, else once its change is on disk (rejects: undone). */
  #settle<R>(result: R): R | Promise<R> {
    const written = this.#written;
    if (!written) return result;
    this.#written = undefined;
    // A rewrite due now takes over the line if it is still queued: written, or failed, with it.
    if (this.#journal.bytes >= this.#compactAt) this.#rewrite();
    return written.then(() => result);
  }

  /** Rewrites the journal (`#compact`) ahead of the lines queued after it; one that fails is due again. */
  #rewrite(): void {
    this.#rewriteDue = false;
    this.#compact().catch(() => (this.#rewriteDue = true));
  }

  /** The journal rewritten as one line per token whose counters are still kept. */
  #compact(): Promise<void> {
    this.#counters.sweep(this.#nowMs);
    const written = this.#journal.rewrite(this.#lines());
    this.#compactAt = Math.max(this.#floor, 2 * this.#journal.bytes);
    return written;
  }

  /** Every kept token's counters, one line each. */
  *#lines(): Iterable<Change> {
    for (const c of this.#counters.snapshot()) yield toLine(c, true);
  }
}

/** Change `c` as a journal line; `whole` (a snapshot's): with its counts used and given back, even none. */
function toLine(c: QuotaChange, whole: boolean): Change {
  if (c.drop) return { t: c.tokenId, x: 1 };
  const line: Change = { t: c.tokenId };
  if (c.freshUntilMs !== undefined) line.u = Number.isFinite(c.freshUntilMs) ? c.freshUntilMs : null;
  if (whole || c.used.length > 0) line.used = Object.fromEntries(c.used);
  if (whole || c.givenBack.length > 0) line.back = Object.fromEntries(c.givenBack);
  return line;
}

function fromLine(line: Change): QuotaChange {
  const freshUntilMs = line.u === undefined ? {} : { freshUntilMs: line.u ?? Number.POSITIVE_INFINITY };
  const used = Object.entries(line.used ?? {});
  const givenBack = Object.entries(line.back ?? {});
  return { tokenId: line.t, ...freshUntilMs, ...(line.x ? { drop: true } : {}), used, givenBack };
}

function isChange(v: unknown): v is Change {
  const c = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const counts = (m: unknown) =>
    m === undefined ||
    (typeof m === 'object' && m !== null && !Array.isArray(m) && Object.values(m).every(isCount));
  const x = c.x === undefined || c.x === 1;
  return typeof c.t === 'string' && Number.isFinite(c.u ?? 0) && counts(c.used) && counts(c.back) && x;
}

const isCount = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
