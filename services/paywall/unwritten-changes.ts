import type { QuotaUndo } from './quota-change.js';

/** A change made in memory whose line is not on disk yet: what undoes it, and why it was undone. */
interface Unwritten {
  undo: QuotaUndo;
  undone?: { err: unknown };
}

/**
 * The changes a durable quota store made in memory whose journal lines are
 * not on disk yet, per token, in the order they were made. A line that fails
 * to be written undoes its change in memory, and first every later change of
 * the same token (made on top of it), last to first, so the counters are
 * again what they were before it: each of those calls is then refused as not
 * counted, whether or not its own line reaches the disk. Such a line (written
 * after one that failed) holds counts the memory no longer has, so `undone`
 * is told after every undo: the store then rewrites its journal from memory.
 */
export class UnwrittenChanges {
  readonly #byToken = new Map<string, Unwritten[]>();
  readonly #apply: (u: QuotaUndo) => void;
  readonly #undone: () => void;

  constructor(apply: (u: QuotaUndo) => void, undone: () => void) {
    this.#apply = apply;
    this.#undone = undone;
  }

  /**
   * Follows the change `undo` undoes, whose line `written` writes: resolves once that line is on
   * disk, or rejects (the write's error) once the change is undone.
   */
  track(undo: QuotaUndo, written: Promise<void>): Promise<void> {
    const change: Unwritten = { undo };
    const list = this.#byToken.get(undo.tokenId);
    if (list) list.push(change);
    else this.#byToken.set(undo.tokenId, [change]);
    return written.then(
      () => {
        this.#written(change);
        if (change.undone) throw change.undone.err;
      },
      (err: unknown) => {
        this.#undoFrom(change, err);
        throw change.undone!.err;
      },
    );
  }

  // Lines are written in the order they were queued: the change written is its token's first.
  #written(change: Unwritten): void {
    const list = this.#byToken.get(change.undo.tokenId);
    if (list?.[0] === change) list.shift();
    else if (list?.includes(change)) list.splice(list.indexOf(change), 1);
    if (list?.length === 0) this.#byToken.delete(change.undo.tokenId);
  }

  /** Undoes `change` and every later change of its token, last first; nothing when undone already. */
  #undoFrom(change: Unwritten, err: unknown): void {
    const id = change.undo.tokenId;
    const list = this.#byToken.get(id);
    const at = list ? list.indexOf(change) : -1;
    if (at < 0) return;
    for (const later of list!.splice(at).reverse()) {
      this.#apply(later.undo);
      later.undone = { err };
    }
    if (list!.length === 0) this.#byToken.delete(id);
    this.#undone();
  }
}
