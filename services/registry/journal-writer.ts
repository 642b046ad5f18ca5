import type { Logger } from '../../infra/log.js';
import type { JournalEntry } from './registry-changes.js';
import type { RegistryData, RegistryStore } from './store.js';

/**
 * Hands the registry's changes to its store in order. Changes made while a
 * write runs go out together in the next one (a burst of N changes costs at
 * most two writes); every caller's promise resolves once a write holding its
 * entries is durable, or rejects if that write fails, and then those entries
 * stay queued, ahead of later ones, for the next write (a journal never
 * skips a change). After a write, a compaction the store says is due runs in
 * the background, off the caller's path.
 */
export class JournalWriter {
  readonly #store: RegistryStore;
  readonly #state: () => RegistryData;
  readonly #log: Logger;
  #queued: JournalEntry[] = [];
  #writing: Promise<void> = Promise.resolve();
  #compacting = false;

  constructor(store: RegistryStore, state: () => RegistryData, log: Logger) {
    this.#store = store;
    this.#state = state;
    this.#log = log;
  }

  /** Queues `entries` and resolves when they are durable. */
  append(entries: readonly JournalEntry[]): Promise<void> {
    this.#queued.push(...entries);
    const next = this.#writing.catch(() => undefined).then(() => this.#write());
    this.#writing = next;
    return next;
  }

  /**
   * Queues `entries` no answer waits for (a refused rating's prune of old
   * records): a write that fails keeps them queued for the next, so the
   * failure is only logged.
   */
  appendAside(entries: readonly JournalEntry[]): void {
    this.append(entries).catch((err: unknown) =>
      this.#log.warn({ err }, 'registry change not journaled yet; it goes with the next write'),
    );
  }

  /** Resolves when every change so far is saved in one snapshot (the journal folded into it): what a clean shutdown waits for. */
  async flush(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await this.#store.compact(this.#state);
  }

  async #write(): Promise<void> {
    if (this.#queued.length === 0) return;
    const batch = this.#queued;
    this.#queued = [];
    try {
      await this.#store.append(batch, this.#state);
    } catch (err) {
      this.#queued = [...batch, ...this.#queued];
      throw err;
    }
    this.#compactIfDue();
  }

  #compactIfDue(): void {
    if (this.#compacting || !this.#store.compactionDue()) return;
    this.#compacting = true;
    this.#store
      .compact(this.#state)
      .catch((err: unknown) =>
        this.#log.error(
          { err },
          'registry compaction failed; the journal keeps every change, retried after the next write',
        ),
      )
      .finally(() => {
        this.#compacting = false;
      });
  }
}
