import { lockFile, type FileLock } from '../../infra/file-lock.js';
import { JournalFile } from './journal-file.js';
import { journalLine } from './journal.js';
import type { JournalEntry } from './registry-changes.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import type { RegistryData, RegistryStore, SavedRegistry } from './store.js';
import { COMPACT_FLOOR_BYTES, compactionDue, emptyRegistryData } from './store.js';

/** Options of `JsonFileRegistryStore`. */
export interface JsonFileRegistryStoreOptions {
  /** Journal bytes below which no compaction is due (default `COMPACT_FLOOR_BYTES`, 1 MiB). */
  compactFloorBytes?: number;
}

/**
 * A durable registry store: a JSON snapshot at `path` and a journal of the
 * changes since, `<path>.journal`, one JSON line per change. A change is
 * appended and fsynced before the registry answers it, so a write costs the
 * change's line whatever the registry holds. Once the journal outgrows the
 * snapshot, the registry has it compacted in the background: the snapshot,
 * with the seq of the last change it includes, is written to `<path>.tmp` a
 * slice at a time, fsynced and renamed over `path`; then the journal is
 * replaced by the lines the snapshot lacks (or removed). A crash anywhere
 * leaves a snapshot and a journal whose lines up to its seq are skipped on
 * load, so nothing acknowledged is lost or applied twice. One store at a
 * time has the file: `load` takes its lock, `close` gives it up.
 */
export class JsonFileRegistryStore implements RegistryStore {
  readonly path: string;
  readonly journalPath: string;
  readonly #journal: JournalFile;
  readonly #floor: number;
  #snapshotBytes = 0;
  /** Serializes journal writes with the journal's replacement at the end of a compaction. */
  #journalLock: Promise<unknown> = Promise.resolve();
  #compaction: Promise<void> = Promise.resolve();
  /** While a compaction runs: the journal text its snapshot lacks (appended since it took the registry's state, or not applied then), which the journal keeps. */
  #tail: string[] | undefined;
  /** The entries of the last append that succeeded. */
  #lastAppended: readonly JournalEntry[] = [];
  /** The single-writer lock, from the first `load` to `close`. */
  #lock: FileLock | undefined;
  #closed = false;

  constructor(path: string, { compactFloorBytes = COMPACT_FLOOR_BYTES }: JsonFileRegistryStoreOptions = {}) {
    this.path = path;
    this.journalPath = `${path}.journal`;
    this.#journal = new JournalFile(this.journalPath);
    this.#floor = compactFloorBytes;
  }

  /**
   * Takes the file's single-writer lock (`<path>.lock`, infra/file-lock.ts), then reads it: another
   * process (or store of this one) holding it is refused with LabError('file_locked') naming its pid,
   * as two writers would each number their journal lines from their own count and lose each other's
   * changes. The lock is kept until `close`, or given up when the file cannot be read.
   */
  async load(): Promise<SavedRegistry | undefined> {
    if (this.#closed) throw new Error(`registry store ${this.path} is closed; open a new store`);
    // The registry's data is what it serves: its directory gets the umask's default mode.
    this.#lock ??= await lockFile(this.path, 'registry data file', { dirMode: 0o777 });
    try {
      const snapshot = await readSnapshotFile(this.path);
      const journal = await this.#journal.read(snapshot?.data.seq ?? 0);
      this.#snapshotBytes = snapshot?.bytes ?? 0;
      if (!snapshot && journal.completeBytes + journal.tornBytes === 0) return undefined;
      return {
        ...(snapshot?.data ?? emptyRegistryData()),
        journal: journal.entries,
        warnings: journal.warnings,
      };
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /**
   * Waits for the writes and compaction under way, then gives up the lock: another store may open
   * the file. Nothing is written after (a write then fails, changing nothing); what is not in the
   * snapshot yet is in the journal, so nothing acknowledged is lost without a last compaction.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#journalLock, this.#compaction]);
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
  }

  /** Replaces everything saved with `data`: its snapshot, and no journal. */
  async save(data: RegistryData): Promise<void> {
    this.#snapshotBytes = await writeSnapshotFile(this.path, data);
    await this.#locked(() => this.#journal.replace(''));
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    const text = entries.map(journalLine).join('');
    await this.#locked(async () => {
      if (this.#closed) throw new Error(`registry store ${this.path} is closed: the change is not written`);
      await this.#journal.append(text);
      this.#tail?.push(text);
      this.#lastAppended = entries;
    });
  }

  compactionDue(): boolean {
    return compactionDue(this.#journal.size, this.#snapshotBytes, this.#floor);
  }

  compact(state: () => RegistryData): Promise<void> {
    const run = this.#compaction.then(() => this.#compactNow(state));
    this.#compaction = run.catch(() => undefined);
    return run;
  }

  async #compactNow(state: () => RegistryData): Promise<void> {
    if (this.#journal.size === 0 || this.#closed) return;
    // Every line journaled so far is in this state but those of the last append, which the
    // registry applies once it resolves (maybe not yet); lines appended from now on may not be.
    const data = state();
    const unapplied = this.#lastAppended.filter((e) => e.seq > (data.seq ?? 0));
    this.#tail = [unapplied.map(journalLine).join('')];
    try {
      this.#snapshotBytes = await writeSnapshotFile(this.path, data);
      await this.#locked(() => this.#journal.replace(this.#tail!.join('')));
    } finally {
      this.#tail = undefined;
    }
  }

  #locked(fn: () => Promise<void>): Promise<void> {
    const run = this.#journalLock.then(fn);
    this.#journalLock = run.catch(() => undefined);
    return run;
  }
}
