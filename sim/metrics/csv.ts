import { PURCHASE_COLUMNS, type PurchaseRow } from './rows.js';

/**
 * purchases.csv: RFC 4180 quoting, header first. `parsePurchasesCsv` reads
 * it back so `sim report <dir>` can rebuild charts from a finished run.
 */

/** The header line (with newline). */
export function csvHeader(): string {
  return PURCHASE_COLUMNS.join(',') + '\n';
}

/** One row as a CSV line (with newline). */
export function csvLine(row: PurchaseRow): string {
  let out = '';
  for (let i = 0; i < PURCHASE_COLUMNS.length; i++) {
    const v = row[PURCHASE_COLUMNS[i]!];
    if (i) out += ',';
    out += typeof v === 'string' ? quote(v) : String(v);
  }
  return out + '\n';
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

const NUMERIC = new Set<string>([
  'seq',
  'atMs',
  'quotedMsat',
  'paidMsat',
  'feeMsat',
  'hops',
  'attempts',
  'discoverMs',
  'quoteMs',
  'decideMs',
  'payMs',
  'consumeMs',
  'totalMs',
]);

/** Reads purchases.csv back into rows; throws with the line number on a malformed line. */
export function parsePurchasesCsv(text: string): PurchaseRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header || header.join(',') !== PURCHASE_COLUMNS.join(','))
    throw new Error(`purchases.csv: unexpected header, expected ${PURCHASE_COLUMNS.join(',')}`);
  return records.map((rec, i) => {
    if (rec.length !== header.length)
      throw new Error(`purchases.csv line ${i + 2}: expected ${header.length} fields, got ${rec.length}`);
    const row: Record<string, unknown> = {};
    header.forEach((col, j) => {
      const v = rec[j]!;
      row[col] = NUMERIC.has(col) ? Number(v) : col === 'tokenReused' ? v === 'true' : v;
    });
    return row as unknown as PurchaseRow;
  });
}
