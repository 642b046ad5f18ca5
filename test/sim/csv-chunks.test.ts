/**
 * purchases.csv is read a chunk at a time for the chart of prices paid, so a
 * big run's file is never held whole: the records must be the same wherever
 * the chunks are cut (inside a quoted field, between a quote and the one that
 * doubles it, between CR and LF), and a file far bigger than one chunk gives its
 * points all the same.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSplitter, parseCsv } from '../../sim/metrics/csv-records.js';
import { csvHeader, csvLine } from '../../sim/metrics/csv.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import { readPricePoints } from '../../sim/report/write-run.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TEXT = 'a,"b ""q"", c",d\r\n"multi\nline",,"x"\n"ends ""\r\nlast,"\n,\nz';
const RECORDS = [['a', 'b "q", c', 'd'], ['multi\nline', '', 'x'], ['ends "\r\nlast,'], ['', ''], ['z']];

/** The records of `text` fed to a splitter in pieces cut at `cuts`. */
function splitAt(text: string, cuts: number[]): string[][] {
  const splitter = new CsvSplitter();
  const out: string[][] = [];
  let from = 0;
  for (const at of [...cuts, text.length]) {
    out.push(...splitter.push(text.slice(from, at)));
    from = at;
  }
  return [...out, ...splitter.end()];
}

describe('CsvSplitter', () => {
  it('splits the text whole into its records: quotes, doubled quotes, CRLF and newlines inside fields', () => {
    expect(parseCsv(TEXT)).toEqual(RECORDS);
  });

  it('gives the same records for every cut of the text into two and into three chunks', () => {
    for (let i = 0; i <= TEXT.length; i++) {
      expect(splitAt(TEXT, [i]), `cut at ${i}`).toEqual(RECORDS);
      for (let j = i; j <= TEXT.length; j++)
        expect(splitAt(TEXT, [i, j]), `cuts at ${i}, ${j}`).toEqual(RECORDS);
    }
  });

  it('gives the same records fed one character at a time', () => {
    expect(
      splitAt(
        TEXT,
        [...TEXT].map((_, i) => i),
      ),
    ).toEqual(RECORDS);
  });
});

describe('readPricePoints', () => {
  it('reads a 35 MB purchases.csv (240,000 attempts, 120,000 paid) chunk by chunk to every 30th paid price', () => {
    const rows: PurchaseRow[] = Array.from({ length: 240_000 }, (_, i) => ({
      seq: i,
      startMs: i * 7,
      endMs: i * 7 + 3,
      buyer: `b-${i % 5}`,
      group: 'b',
      role: 'buyer',
      seller: `s-${i % 3}`,
      capability: 'weather',
      taskId: `t${i}`,
      tierKind: 'single',
      tierCalls: 1,
      stage: 'consume',
      outcome: i % 2 ? 'success' : 'invoice_rejected',
      failure: '',
      refusal: '',
      reason: i % 100 === 0 ? `payee "x${i}",\r\nnot y` : 'plain',
      quotedMsat: 2000 + i,
      paidMsat: i % 2 ? 2000 + i : 0,
      feeMsat: 0,
      sellerCostMsat: 0,
      hops: 1,
      requests: 1,
      tokenReused: false,
      steps: { quote: { atMs: i * 7, ms: 2 }, pay: { atMs: i * 7 + 2, ms: 1 } },
    }));
    const text = csvHeader() + rows.map(csvLine).join('');
    expect(text.length).toBe(35_515_907); // over 32 MiB, 34 chunks
    const dir = mkdtempSync(join(tmpdir(), 'csv-chunks-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'purchases.csv'), text);
    const paid = rows.filter((r) => r.paidMsat > 0);
    const expected = paid
      .filter((_, i) => i % 30 === 0)
      .map((r) => ({ startMs: r.startMs, seller: r.seller, paidMsat: r.paidMsat }));
    const points = readPricePoints(dir);
    expect(points.length).toBe(4000);
    expect(points[1]).toEqual({ startMs: 427, seller: 's-1', paidMsat: 2061 });
    expect(points).toEqual(expected);
  });
});
