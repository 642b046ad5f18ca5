import type { Logger } from '../../infra/log.js';
import type { JournalEntry, RegistryChange } from './registry-changes.js';
import type { RegistryState } from './registry-state.js';
import type { RegistryStore } from './store.js';

/**
 * Runs the registry's writes one at a time (`inTurn`), and makes each
 * change durable before it is applied (`commit`): a write checks what the
 * registry holds, hands its change to the store, and applies it only once
 * the store has it. A write the store fails leaves the registry as it was,
 * so the request answered 503 can be sent again and is checked afresh. After
 * a write, a compaction the store says is due runs in the background, off
 * the caller's path.
 */
export class JournalWriter {
  readonly #store: RegistryStore;
  readonly #state: () => RegistryState;
  readonly #log: Logger;
  #turn: Promise<unknown> = Promise.resolve();
  /** Changes applied already but not journaled yet (a rating's prune of old records): they go ahead of the next change. */
  #unwritten: JournalEntry[] = [];
  #compacting = false;

  constructor(store: RegistryStore, state: () => RegistryState, log: Logger) {
    this.#store = store;
    this.#state = state;
    this.#log = log;
  }

  /** Runs `step` once every step started before has finished, whether it succeeded or not. */
  inTurn<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(step);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Journals `changes` as the next ones (after the unwritten ones) and applies
   * them once durable; rejects, having applied none of them, when the store
   * fails. Call it within a turn.
   */
  async commit(...changes: RegistryChange[]): Promise<void> {
    const state = this.#state();
    const entries = changes.map((change, i) => ({ seq: state.seq + 1 + i, change }));
    const batch = [...this.#unwritten, ...entries];
    if (batch.length === 0) return;
    await this.#store.append(batch, () => state.snapshot());
    this.#unwritten = [];
    for (const e of entries) state.apply(e);
    this.#compactIfDue();
  }

  /**
   * Applies `change` at once and journals it ahead of the next change: only
   * for a change no answer depends on and no rule misses if it is lost (a
   * prune of rating records too old to rate again; the next rating prunes
   * them anyway).
   */
  applyUnwritten(change: RegistryChange): void {
    const state = this.#state();
    const entry = { seq: state.seq + 1, change };
    state.apply(entry);
    this.#unwritten.push(entry);
  }

  /** Journals the unwritten changes, if any, in a turn of their own; a failure is only logged (they go with the next write). */
  writeUnwritten(): void {
    if (this.#unwritten.length === 0) return;
    this.inTurn(() => this.commit()).catch((err: unknown) =>
      this.#log.warn({ err }, 'registry change not journaled yet; it goes with the next write'),
    );
  }

  /** Resolves when every change so far is saved in one snapshot (the journal folded into it): what a clean shutdown waits for. */
  async flush(): Promise<void> {
    await this.#turn;
    await this.#store.compact(() => this.#state().snapshot());
  }

  #compactIfDue(): void {
    if (this.#compacting || !this.#store.compactionDue()) return;
    this.#compacting = true;
    this.#store
      .compact(() => this.#state().snapshot())
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
