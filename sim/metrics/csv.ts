import {
  STEPS,
  type PurchaseRole,
  type PurchaseRow,
  type Stage,
  type Step,
  type TaskRow,
  type TierKind,
} from './rows.js';
import { CsvSplitter } from './csv-records.js';
import { LabError } from '../../infra/errors.js';

/**
 * purchases.csv and tasks.csv: RFC 4180 quoting, header first. Each step of
 * an attempt has two columns, `<step>AtMs` and `<step>Ms`, empty when the
 * step did not happen. The parsers read the files back exactly, so a
 * finished run's aggregates can be rebuilt from its CSVs alone.
 */

const ROW_HEAD = [
  'seq',
  'startMs',
  'endMs',
  'totalMs',
  'buyer',
  'group',
  'role',
  'seller',
  'capability',
  'taskId',
  'tierKind',
  'tierCalls',
  'tierSec',
  'stage',
  'outcome',
  'failure',
  'refusal',
  'reason',
  'quotedMsat',
  'paidMsat',
  'feeMsat',
  'sellerCostMsat',
  'hops',
  'requests',
  'tokenReused',
  'paymentRedeemed',
  'quoteDelayMs',
  'arrivalRank',
] as const;

/** The columns of purchases.csv, in order. */
export const PURCHASE_COLUMNS: readonly string[] = [
  ...ROW_HEAD,
  ...STEPS.flatMap((s) => [`${s}AtMs`, `${s}Ms`]),
];

/** The columns of tasks.csv, in order. */
export const TASK_COLUMNS = [
  'taskId',
  'buyer',
  'group',
  'role',
  'capability',
  'calls',
  'valueMsat',
  'earnedMsat',
  'done',
  'spentMsat',
  'feesMsat',
  'startedAtMs',
  'endedAtMs',
  'stopReason',
] as const satisfies readonly (keyof TaskRow)[];

/** The purchases.csv header line (with newline). */
export function csvHeader(): string {
  return PURCHASE_COLUMNS.join(',') + '\n';
}

/** The tasks.csv header line (with newline). */
export function taskCsvHeader(): string {
  return TASK_COLUMNS.join(',') + '\n';
}

/** One purchase row as a CSV line (with newline). */
export function csvLine(row: PurchaseRow): string {
  const cells: unknown[] = ROW_HEAD.map((c) => (c === 'totalMs' ? row.endMs - row.startMs : row[c]));
  for (const s of STEPS) {
    const span = row.steps[s];
    cells.push(span ? span.atMs : '', span ? span.ms : '');
  }
  return cells.map(cell).join(',') + '\n';
}

/** One task row as a CSV line (with newline). */
export function taskCsvLine(row: TaskRow): string {
  return TASK_COLUMNS.map((c) => cell(row[c])).join(',') + '\n';
}

function cell(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? quote(v) : String(v);
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Words what is wrong with a run's CSV file (`line 12: expected 40 fields, got 3`) as the error
 * to throw; the caller that knows the file's path and what to do about it names them.
 */
export type CsvFailure = (problem: string) => Error;

/** A bad_run_file error `<file>: <problem>`, for a reader that names neither path nor remedy. */
function plainFailure(file: string): CsvFailure {
  return (problem) => new LabError('bad_run_file', `${file}: ${problem}`);
}

/**
 * Calls `each` with every row of CSV text given in chunks (header first), its fields in the
 * order of `columns` (read by name with `cellReader`), after checking the header against
 * `columns` and each row's field count; a bad header or row fails through `fail`, naming the
 * line (the record's number, the header being line 1).
 */
function eachRecord(
  chunks: Iterable<string>,
  columns: readonly string[],
  fail: CsvFailure,
  each: (rec: string[]) => void,
): void {
  const splitter = new CsvSplitter();
  let header: string[] | undefined;
  let line = 1;
  const take = (records: string[][]) => {
    for (const rec of records) {
      if (!header) {
        header = checkedHeader(rec, columns, fail);
        continue;
      }
      line++;
      if (rec.length !== header.length)
        throw fail(`line ${line}: expected ${header.length} fields, got ${rec.length}`);
      each(rec);
    }
  };
  for (const chunk of chunks) take(splitter.push(chunk));
  take(splitter.end());
  if (!header) checkedHeader(undefined, columns, fail);
}

/** Reads a row's fields by column name: `cellReader(COLUMNS)(rec)('seq')`. */
function cellReader(columns: readonly string[]): (rec: string[]) => (column: string) => string {
  const index = new Map(columns.map((c, i) => [c, i]));
  return (rec) => (column) => rec[index.get(column)!]!;
}

const purchaseCells = cellReader(PURCHASE_COLUMNS);
const taskCells = cellReader(TASK_COLUMNS);

function checkedHeader(rec: string[] | undefined, columns: readonly string[], fail: CsvFailure): string[] {
  if (!rec || rec.join(',') !== columns.join(','))
    throw fail(
      `unexpected header, expected ${columns.join(',')} (a file written by another version of the simulator: run its scenario again)`,
    );
  return rec;
}

/** Reads purchases.csv back into rows; a damaged file fails as bad_run_file naming the line. */
export function parsePurchasesCsv(text: string, fail = plainFailure('purchases.csv')): PurchaseRow[] {
  const rows: PurchaseRow[] = [];
  eachPurchaseRow([text], (row) => rows.push(row), fail);
  return rows;
}

/** Calls `each` with every row of purchases.csv given in chunks, so a big file is never held whole. */
export function eachPurchaseRow(
  chunks: Iterable<string>,
  each: (row: PurchaseRow) => void,
  fail = plainFailure('purchases.csv'),
): void {
  eachRecord(chunks, PURCHASE_COLUMNS, fail, (rec) => each(purchaseRow(purchaseCells(rec))));
}

const STEP_COLUMNS = STEPS.map((s) => [s, `${s}AtMs`, `${s}Ms`] as const);

function purchaseRow(cell: (column: string) => string): PurchaseRow {
  const steps: Partial<Record<Step, { atMs: number; ms: number }>> = {};
  for (const [s, at, ms] of STEP_COLUMNS)
    if (cell(at) !== '') steps[s] = { atMs: Number(cell(at)), ms: Number(cell(ms)) };
  return {
    seq: Number(cell('seq')),
    startMs: Number(cell('startMs')),
    endMs: Number(cell('endMs')),
    buyer: cell('buyer'),
    group: cell('group'),
    role: cell('role') as PurchaseRole,
    seller: cell('seller'),
    capability: cell('capability'),
    taskId: cell('taskId'),
    tierKind: cell('tierKind') as TierKind | '',
    ...(cell('tierCalls') !== '' && { tierCalls: Number(cell('tierCalls')) }),
    ...(cell('tierSec') !== '' && { tierSec: Number(cell('tierSec')) }),
    stage: cell('stage') as Stage,
    outcome: cell('outcome'),
    failure: cell('failure'),
    refusal: cell('refusal'),
    reason: cell('reason'),
    quotedMsat: Number(cell('quotedMsat')),
    paidMsat: Number(cell('paidMsat')),
    feeMsat: Number(cell('feeMsat')),
    sellerCostMsat: Number(cell('sellerCostMsat')),
    hops: Number(cell('hops')),
    requests: Number(cell('requests')),
    tokenReused: cell('tokenReused') === 'true',
    ...(cell('paymentRedeemed') === 'true' && { paymentRedeemed: true as const }),
    ...(cell('quoteDelayMs') !== '' && { quoteDelayMs: Number(cell('quoteDelayMs')) }),
    ...(cell('arrivalRank') !== '' && { arrivalRank: Number(cell('arrivalRank')) }),
    steps,
  };
}

/** Reads tasks.csv back into rows; a damaged file fails as bad_run_file naming the line. */
export function parseTasksCsv(text: string, fail = plainFailure('tasks.csv')): TaskRow[] {
  const rows: TaskRow[] = [];
  eachRecord([text], TASK_COLUMNS, fail, (rec) => rows.push(taskRow(taskCells(rec))));
  return rows;
}

function taskRow(cell: (column: string) => string): TaskRow {
  return {
    taskId: cell('taskId'),
    buyer: cell('buyer'),
    group: cell('group'),
    role: cell('role') as PurchaseRole,
    capability: cell('capability'),
    calls: Number(cell('calls')),
    valueMsat: Number(cell('valueMsat')),
    earnedMsat: Number(cell('earnedMsat')),
    done: cell('done') === 'true',
    spentMsat: Number(cell('spentMsat')),
    feesMsat: Number(cell('feesMsat')),
    startedAtMs: Number(cell('startedAtMs')),
    endedAtMs: Number(cell('endedAtMs')),
    stopReason: cell('stopReason'),
  };
}
