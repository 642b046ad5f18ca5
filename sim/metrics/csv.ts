import {
  STEPS,
  type PurchaseRole,
  type PurchaseRow,
  type Stage,
  type Step,
  type TaskRow,
  type TierKind,
} from './rows.js';

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

/** Splits CSV text into records of fields (handles quotes, doubled quotes, embedded newlines). */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      out.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length) {
    record.push(field);
    out.push(record);
  }
  return out;
}

/** Records of a CSV file as column → text maps; throws naming the file and line on a bad header or line. */
function records(text: string, file: string, columns: readonly string[]): Record<string, string>[] {
  const [header, ...rest] = parseCsv(text);
  if (!header || header.join(',') !== columns.join(','))
    throw new Error(
      `${file}: unexpected header, expected ${columns.join(',')} (a file written by another version of the simulator: run its scenario again)`,
    );
  return rest.map((rec, i) => {
    if (rec.length !== header.length)
      throw new Error(`${file} line ${i + 2}: expected ${header.length} fields, got ${rec.length}`);
    return Object.fromEntries(header.map((c, j) => [c, rec[j]!]));
  });
}

/** Reads purchases.csv back into rows. */
export function parsePurchasesCsv(text: string): PurchaseRow[] {
  return records(text, 'purchases.csv', PURCHASE_COLUMNS).map((r) => {
    const steps: Partial<Record<Step, { atMs: number; ms: number }>> = {};
    for (const s of STEPS)
      if (r[`${s}AtMs`] !== '') steps[s] = { atMs: Number(r[`${s}AtMs`]), ms: Number(r[`${s}Ms`]) };
    return {
      seq: Number(r.seq),
      startMs: Number(r.startMs),
      endMs: Number(r.endMs),
      buyer: r.buyer!,
      group: r.group!,
      role: r.role as PurchaseRole,
      seller: r.seller!,
      capability: r.capability!,
      taskId: r.taskId!,
      tierKind: r.tierKind as TierKind | '',
      ...(r.tierCalls !== '' && { tierCalls: Number(r.tierCalls) }),
      ...(r.tierSec !== '' && { tierSec: Number(r.tierSec) }),
      stage: r.stage as Stage,
      outcome: r.outcome!,
      failure: r.failure!,
      refusal: r.refusal!,
      reason: r.reason!,
      quotedMsat: Number(r.quotedMsat),
      paidMsat: Number(r.paidMsat),
      feeMsat: Number(r.feeMsat),
      sellerCostMsat: Number(r.sellerCostMsat),
      hops: Number(r.hops),
      requests: Number(r.requests),
      tokenReused: r.tokenReused === 'true',
      ...(r.paymentRedeemed === 'true' && { paymentRedeemed: true as const }),
      ...(r.quoteDelayMs !== '' && { quoteDelayMs: Number(r.quoteDelayMs) }),
      ...(r.arrivalRank !== '' && { arrivalRank: Number(r.arrivalRank) }),
      steps,
    };
  });
}

/** Reads tasks.csv back into rows. */
export function parseTasksCsv(text: string): TaskRow[] {
  return records(text, 'tasks.csv', TASK_COLUMNS).map((r) => ({
    taskId: r.taskId!,
    buyer: r.buyer!,
    group: r.group!,
    role: r.role as PurchaseRole,
    capability: r.capability!,
    calls: Number(r.calls),
    valueMsat: Number(r.valueMsat),
    earnedMsat: Number(r.earnedMsat),
    done: r.done === 'true',
    spentMsat: Number(r.spentMsat),
    feesMsat: Number(r.feesMsat),
    startedAtMs: Number(r.startedAtMs),
    endedAtMs: Number(r.endedAtMs),
    stopReason: r.stopReason!,
  }));
}
