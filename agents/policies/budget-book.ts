import { dirname } from 'node:path';
import { LabError } from '../../infra/errors.js';
import { lockFile, type FileLock } from '../../infra/file-lock.js';
import type { Msat } from '../../infra/money.js';
import {
  ensurePrivateDir,
  readPrivateFile,
  replacePrivateFile,
  type PrivateFileUse,
} from '../../infra/private-file.js';

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

/** Whoever may change the book may erase what was spent (infra/private-file.ts). */
const BUDGET_FILE: PrivateFileUse = {
  access: 'owned',
  risk: 'whoever changes it can erase the spending it records',
};

/** What the directory of a budget file is called in its refusals. */
const DIR_WHAT = 'budget file directory';

/**
 * A budget book in one JSON file, written atomically (a temporary file, mode
 * 0600, created exclusively under a random name, fsynced and renamed over it)
 * and opened by one writer at a time (`<path>.lock`, as the token file): a
 * second process on the same file gets LabError('file_locked'). As the token
 * file, it is refused (LabError 'unsafe_directory' or 'unsafe_file',
 * infra/private-file.ts) in a directory that is not this user's own or that
 * others may write, and when it is a symbolic link, another user's, or
 * writable by others: whoever could change it could erase what was spent.
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

  private constructor(path: string, lock: FileLock, data: BudgetFile) {
    this.path = path;
    this.#lock = lock;
    this.#data = data;
  }

  /**
   * Opens (or starts) the file, its directory created (mode 0700, parents too) when missing; throws
   * LabError('unsafe_directory' | 'unsafe_file'), LabError('file_locked') or LabError('corrupt_budget_file').
   */
  static async open(path: string): Promise<FileBudgetBook> {
    await ensurePrivateDir(dirname(path), DIR_WHAT);
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
    await ensurePrivateDir(dirname(this.path), DIR_WHAT);
    await replacePrivateFile(this.path, [JSON.stringify(this.#data)]);
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
  const text = await readPrivateFile(path, BUDGET_FILE);
  if (text === undefined) return { version: 1, budgets: {} };
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
