import type { JournalEntry } from './registry-changes.js';
import { journalLine, readJournal } from './journal.js';
import type { Listing, RatingRecord, RatingSum } from './types.js';

export type { JournalEntry, RegistryChange } from './registry-changes.js';

/**
 * A snapshot of everything the registry must remember across a restart.
 * Version 2 adds `ratingSums`; a version 1 snapshot (every rating record, no
 * sums) still loads, its sums rebuilt from the records. `seq` (absent in
 * snapshots written before the journal, read as 0) is the last journaled
 * change the snapshot includes.
 */
export interface RegistryData {
  version: 1 | 2;
  seq?: number;
  listings: Listing[];
  /** One per payment hash that could still rate: the proof of purchase can be used once. */
  ratings: RatingRecord[];
  /** Per listing, the sums its rating is computed from (absent in version 1). */
  ratingSums?: RatingSum[];
  /** Removed listing ids and the signedAt of their removal, so an old registration cannot be replayed. */
  tombstones: { id: string; signedAt: number }[];
}

/** What a store saved: the last snapshot and the changes journaled after it. */
export interface SavedRegistry extends RegistryData {
  /** The changes after the snapshot's `seq`, in order: the registry applies them on load. */
  journal: JournalEntry[];
  /** What the registry should log on opening (a torn last journal line, ignored). */
  warnings: string[];
}

/**
 * Persistence behind the registry. The registry keeps its working state in
 * memory (so every check-then-write is one synchronous step) and hands the
 * store each change as a journal entry: a write costs what the change is,
 * not what the registry holds. Now and then (when `compactionDue`) the
 * registry has the store fold the journal into a new snapshot.
 */
export interface RegistryStore {
  /** The last snapshot and the changes journaled after it, or undefined when nothing was ever saved. */
  load(): Promise<SavedRegistry | undefined>;
  /**
   * Makes `entries` durable after every entry appended before, resolving
   * once they are; the registry applies them only then (a rejection leaves
   * them unapplied), before it appends again. Calls are serialized by the
   * registry. `state()` is the registry's whole state as of the call, before
   * these entries.
   */
  append(entries: readonly JournalEntry[], state: () => RegistryData): Promise<void>;
  /** Whether the journal has outgrown the snapshot (see `compactionDue`): the registry then calls `compact` in the background. */
  compactionDue(): boolean;
  /**
   * Saves `state()` (the registry's whole state as of the call; its `seq`
   * the last change it includes) as the snapshot, and drops the journaled
   * changes it includes while keeping every one after its `seq` (appended
   * meanwhile, or appended but not applied yet when it was taken). Resolves
   * once durable; does nothing when nothing was journaled since the last
   * snapshot.
   */
  compact(state: () => RegistryData): Promise<void>;
  /**
   * Gives up what `load` took (a file store's lock), once the writes under way are done; nothing is
   * written after. Optional: a store holding nothing has nothing to give up.
   */
  close?(): Promise<void>;
}

/** Journal bytes below which no compaction is due, however small the snapshot: a small registry is not rewritten on every change. */
export const COMPACT_FLOOR_BYTES = 1024 * 1024;

/**
 * Whether a journal of `journalBytes` after a snapshot of `snapshotBytes`
 * should be compacted: once it is larger than the snapshot (and than
 * `floorBytes`). Replaying it then costs no more than reading the snapshot
 * again, and rewriting the snapshot is paid once per as many bytes of
 * changes, so a change costs a bounded share of it.
 */
export function compactionDue(journalBytes: number, snapshotBytes: number, floorBytes: number): boolean {
  return journalBytes > Math.max(snapshotBytes, floorBytes);
}

/** An empty snapshot. */
export function emptyRegistryData(): RegistryData {
  return { version: 2, listings: [], ratings: [], ratingSums: [], tombstones: [] };
}

/** The snapshot fields of `data` (whatever else its object carries), in the order they are written. */
export function snapshotFields(data: RegistryData): RegistryData {
  const { version, seq, listings, ratings, ratingSums, tombstones } = data;
  return {
    version,
    ...(seq !== undefined ? { seq } : {}),
    listings,
    ratings,
    ...(ratingSums !== undefined ? { ratingSums } : {}),
    tombstones,
  };
}

/**
 * The default store: a snapshot and journal lines kept as JSON text in
 * memory, so a "restart" with the same store instance sees the old data and
 * nothing the registry holds is shared with it. Compacts on the same bound as
 * the file store.
 */
export class MemoryRegistryStore implements RegistryStore {
  #snapshot: string | undefined;
  /** Each journaled change's seq and line. */
  #journal: { seq: number; line: string }[] = [];
  #journalChars = 0;
  readonly #floor: number;

  constructor({ compactFloorBytes = COMPACT_FLOOR_BYTES }: { compactFloorBytes?: number } = {}) {
    this.#floor = compactFloorBytes;
  }

  async load(): Promise<SavedRegistry | undefined> {
    if (this.#snapshot === undefined && this.#journal.length === 0) return undefined;
    const data =
      this.#snapshot === undefined ? emptyRegistryData() : (JSON.parse(this.#snapshot) as RegistryData);
    const text = this.#journal.map((j) => j.line).join('');
    const read = readJournal(Buffer.from(text), 'the in-memory journal', data.seq ?? 0);
    return { ...data, journal: read.entries, warnings: read.warnings };
  }

  /** Replaces everything saved with `data`: its snapshot, and no journal. */
  async save(data: RegistryData): Promise<void> {
    this.#saveWith(data, []);
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    for (const e of entries) {
      const line = journalLine(e);
      this.#journal.push({ seq: e.seq, line });
      this.#journalChars += line.length;
    }
  }

  compactionDue(): boolean {
    return compactionDue(this.#journalChars, this.#snapshot?.length ?? 0, this.#floor);
  }

  /** The journal keeps only the changes after the snapshot's `seq` (appended but not applied yet when it was taken). */
  async compact(state: () => RegistryData): Promise<void> {
    if (this.#journal.length === 0) return;
    const data = state();
    this.#saveWith(
      data,
      this.#journal.filter((j) => j.seq > (data.seq ?? 0)),
    );
  }

  /** The snapshot `data` and the journal `journal`, in one step. */
  #saveWith(data: RegistryData, journal: { seq: number; line: string }[]): void {
    this.#snapshot = JSON.stringify(snapshotFields(data));
    this.#journal = journal;
    this.#journalChars = journal.reduce((n, j) => n + j.line.length, 0);
  }
}
