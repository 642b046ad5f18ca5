/** Records a task as it stands at `atMs` (clock time): the run ended under it. */
export type RecordUnfinished = (atMs: number) => void;

/**
 * The market's tasks still running, each with how to record it should the
 * run end under it. A task opens here when it starts and closes when it
 * records its own end; at the run's end (its time limit, or a stop) `flush`
 * records every task still open, so none is left out of tasks.csv, and a
 * call it had paid for none out of purchases.csv.
 */
export class OpenTasks {
  readonly #open = new Map<number, RecordUnfinished>();
  #next = 0;

  /**
   * Opens a task; returns `close`, to call when the task ends, which says whether the task
   * records its end itself: false once `flush` recorded it (the run had ended under it).
   */
  open(record: RecordUnfinished): () => boolean {
    const id = this.#next++;
    this.#open.set(id, record);
    return () => this.#open.delete(id);
  }

  /** Records every task still open, in the order they started, as it stands at `atMs`; returns how many. */
  flush(atMs: number): number {
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const record of open) record(atMs);
    return open.length;
  }
}
