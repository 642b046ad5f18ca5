import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../../infra/errors.js';
import { lockFile, type FileLock } from '../../infra/file-lock.js';
import type { Msat } from '../../infra/money.js';

/** Codes of budget book errors. */
export type BudgetBookErrorCode = 'corrupt_budget_file';

/** One spend of a budget: when, and how much (amount + fee). */
export interface BookedSpend {
  atMs: number;
  amountMsat: Msat;
}

/**
 * Where budgets keep what they spent, so a limit holds across restarts. A
 * hold is written (and awaited) before the payment it covers; it becomes a
 * spend when the payment settles and goes away when it is released. Holds
 * found on opening belong to payments whose fate died with the process: they
 * count as spent (fail closed).
 */
export interface BudgetBook {
  /** What `budget` spent, oldest first (holds left by a crash included). */
  spends(budget: string): readonly BookedSpend[];
  hold(budget: string, id: number, spend: BookedSpend): Promise<void>;
  settle(budget: string, id: number, spend: BookedSpend): void;
  release(budget: string, id: number): void;
  /**
   * Lets the book shed what can no longer count: spends before `sinceMs`
   * (the start of the budget's window), or, for an all-time budget
   * (`sinceMs` undefined), every spend folded into one of their sum. Kept
   * on the next write.
   */
  compact(budget: string, sinceMs: number | undefined): void;
}

interface BudgetFile {
  version: 1;
  budgets: Record<string, { spends: [number, number][]; holds: Record<string, [number, number]> }>;
}

/**
 * A budget book in one JSON file, written atomically (temp file + rename) and
 * opened by one writer at a time (`<path>.lock`, as the token file): a second
 * process on the same file gets LabError('file_locked').
 *
 * @example
 * const book = await FileBudgetBook.open(join(homedir(), '.cache/l402-lab/budgets.json'));
 * const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 25_000 } }, { clock, book });
 */
export class FileBudgetBook implements BudgetBook {
  readonly path: string;
  readonly #lock: FileLock;
  readonly #data: BudgetFile;
  #writing: Promise<void> = Promise.resolve();
  #seq = 0;

  private constructor(path: string, lock: FileLock, data: BudgetFile) {
    this.path = path;
    this.#lock = lock;
    this.#data = data;
  }

  /** Opens (or starts) the file; throws LabError('file_locked') or LabError('corrupt_budget_file'). */
  static async open(path: string): Promise<FileBudgetBook> {
    const lock = await lockFile(path, 'budget file');
    try {
      const book = new FileBudgetBook(path, lock, await readBook(path));
      await book.#write();
      return book;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  spends(budget: string): readonly BookedSpend[] {
    const b = this.#data.budgets[budget];
    return (b?.spends ?? []).map(([atMs, amountMsat]) => ({ atMs, amountMsat }));
  }

  hold(budget: string, id: number, spend: BookedSpend): Promise<void> {
    this.#budget(budget).holds[String(id)] = [spend.atMs, spend.amountMsat];
    return this.#save();
  }

  settle(budget: string, id: number, spend: BookedSpend): void {
    const b = this.#budget(budget);
    delete b.holds[String(id)];
    if (spend.amountMsat > 0) b.spends.push([spend.atMs, spend.amountMsat]);
    this.#save().catch(() => {});
  }

  release(budget: string, id: number): void {
    delete this.#budget(budget).holds[String(id)];
    this.#save().catch(() => {});
  }

  compact(budget: string, sinceMs: number | undefined): void {
    const b = this.#data.budgets[budget];
    if (b) b.spends = compacted(b.spends, sinceMs);
  }

  /** Writes what is left and gives up the lock. */
  async close(): Promise<void> {
    await this.#save().catch(() => {});
    await this.#lock.release();
  }

  #budget(name: string): BudgetFile['budgets'][string] {
    return (this.#data.budgets[name] ??= { spends: [], holds: {} });
  }

  /** Serialized snapshot writes; each resolves once its snapshot (or a later one) is on disk. */
  #save(): Promise<void> {
    const next = this.#writing.then(() => this.#write());
    this.#writing = next.catch(() => {});
    return next;
  }

  async #write(): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}-${this.#seq++}`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(tmp, JSON.stringify(this.#data), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

/** Spends (oldest first) without those before `sinceMs`; all time: one spend of their sum, at the latest time. */
function compacted(spends: [number, number][], sinceMs: number | undefined): [number, number][] {
  if (sinceMs === undefined) {
    if (spends.length < 2) return spends;
    return [[spends[spends.length - 1]![0], spends.reduce((sum, [, amount]) => sum + amount, 0)]];
  }
  const first = spends.findIndex(([atMs]) => atMs >= sinceMs);
  return first === 0 ? spends : first < 0 ? [] : spends.slice(first);
}

/** Reads a budget file; holds left in it (a crash's) become spends. */
async function readBook(path: string): Promise<BudgetFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, budgets: {} };
    throw err;
  }
  const bad = (why: string, cause?: unknown) =>
    new LabError<BudgetBookErrorCode>('corrupt_budget_file', `budget file ${path} ${why}`, { cause });
  let data: BudgetFile;
  try {
    data = JSON.parse(text) as BudgetFile;
  } catch (cause) {
    throw bad('is not JSON', cause);
  }
  if (data?.version !== 1 || typeof data.budgets !== 'object' || data.budgets === null)
    throw bad('has no version 1 budget map');
  const pair = (p: unknown) =>
    Array.isArray(p) && p.length === 2 && p.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  for (const [name, b] of Object.entries(data.budgets)) {
    if (!Array.isArray(b?.spends) || !b.spends.every(pair) || typeof b.holds !== 'object' || !b.holds)
      throw bad(`has a malformed budget ${JSON.stringify(name)}`);
    const left = Object.values(b.holds);
    if (!left.every(pair)) throw bad(`has a malformed hold in ${JSON.stringify(name)}`);
    b.spends = [...b.spends, ...left].sort((x, y) => x[0] - y[0]);
    b.holds = {};
  }
  return data;
}
