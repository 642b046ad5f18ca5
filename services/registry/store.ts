import type { Listing, RatingRecord, RatingSum } from './types.js';

/**
 * Everything the registry must remember across a restart. Version 2 adds
 * `ratingSums`; a version 1 snapshot (every rating record, no sums) still
 * loads, its sums rebuilt from the records.
 */
export interface RegistryData {
  version: 1 | 2;
  listings: Listing[];
  /** One per payment hash that could still rate: the proof of purchase can be used once. */
  ratings: RatingRecord[];
  /** Per listing, the sums its rating is computed from (absent in version 1). */
  ratingSums?: RatingSum[];
  /** Removed listing ids and the signedAt of their removal, so an old registration cannot be replayed. */
  tombstones: { id: string; signedAt: number }[];
}

/**
 * Persistence behind the registry. The registry keeps its working state in
 * memory (so every check-then-write is one synchronous step) and hands the
 * store a full snapshot after each change; a store only has to make that
 * snapshot durable. Snapshots are small (a listing is well under 1 KiB).
 */
export interface RegistryStore {
  /** The last saved snapshot, or undefined when nothing was ever saved. */
  load(): Promise<RegistryData | undefined>;
  /** Replaces the saved snapshot. Calls are serialized by the registry. */
  save(data: RegistryData): Promise<void>;
}

/** The default store: keeps a JSON copy in memory (so a "restart" with the same store instance sees the old data). */
export class MemoryRegistryStore implements RegistryStore {
  #json: string | undefined;

  async load(): Promise<RegistryData | undefined> {
    return this.#json === undefined ? undefined : (JSON.parse(this.#json) as RegistryData);
  }

  async save(data: RegistryData): Promise<void> {
    this.#json = JSON.stringify(data);
  }
}

/** An empty snapshot. */
export function emptyRegistryData(): RegistryData {
  return { version: 2, listings: [], ratings: [], ratingSums: [], tombstones: [] };
}

/**
 * Serializes snapshot writes to a store and folds changes made while a write
 * runs into the next one: a burst of N changes costs at most two writes,
 * and every caller's promise resolves once a snapshot containing its change
 * is saved (or rejects if that save fails).
 */
export class SnapshotWriter {
  readonly #store: RegistryStore;
  readonly #snapshot: () => RegistryData;
  #saving: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(store: RegistryStore, snapshot: () => RegistryData) {
    this.#store = store;
    this.#snapshot = snapshot;
  }

  /** Marks the state changed and resolves when it is saved. */
  save(): Promise<void> {
    this.#dirty = true;
    const next = this.#saving
      .catch(() => undefined)
      .then(async () => {
        if (!this.#dirty) return;
        this.#dirty = false;
        await this.#store.save(this.#snapshot());
      });
    this.#saving = next;
    return next;
  }

  /** Resolves when every change so far is saved. */
  flush(): Promise<void> {
    return this.#saving;
  }
}
