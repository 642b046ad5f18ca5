import { LabError } from '../../infra/errors.js';
import { parseJournalEntry, type JournalEntry } from './registry-changes.js';

/**
 * The journal's text: one JSON line per change, `{"seq":…,"change":{…}}\n`.
 * A line counts once its newline is written: the registry acknowledges a
 * change only after its whole line is durable, so a last line without one
 * is a write a crash cut short, never acknowledged.
 */

/** The line journaling `entry`. */
export function journalLine(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** What a journal holds. */
export interface ReadJournal {
  /** The changes after the snapshot (seq above `afterSeq`), in order. */
  entries: JournalEntry[];
  /** Bytes of complete lines: where the next line goes (anything after it is cut off first). */
  completeBytes: number;
  /** Bytes after the last complete line: a torn write. */
  tornBytes: number;
  /** What a reader should be told (a torn last line). */
  warnings: string[];
}

/**
 * Reads a journal (`source` names it in messages). Lines up to `afterSeq`
 * are in the snapshot already and skipped; the rest must continue it, seq
 * after seq. A torn last line is left out with a warning; any other line that
 * is not a journaled change, or out of order, is a `corrupt_store` error
 * naming the line, since the changes after it cannot be trusted.
 */
export function readJournal(bytes: Buffer, source: string, afterSeq: number): ReadJournal {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const tornBytes = bytes.length - end;
  const warnings =
    tornBytes > 0
      ? [
          `${source} ends in an incomplete line (${tornBytes} bytes: a write cut short, never acknowledged); ` +
            'it is ignored and cut off before the next write',
        ]
      : [];
  const entries: JournalEntry[] = [];
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  let last = 0;
  for (const [i, text] of lines.entries()) {
    const entry = parseLine(text, source, i + 1);
    const expected = entry.seq > afterSeq ? Math.max(last, afterSeq) + 1 : undefined;
    if (entry.seq <= last || (expected !== undefined && entry.seq !== expected))
      throw corrupt(source, i + 1, `change ${entry.seq} where ${expected ?? `one after ${last}`} comes next`);
    last = entry.seq;
    if (entry.seq > afterSeq) entries.push(entry);
  }
  return { entries, completeBytes: end, tornBytes, warnings };
}

function parseLine(text: string, source: string, line: number): JournalEntry {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw corrupt(source, line, `not JSON (${(err as Error).message})`, err);
  }
  const parsed = parseJournalEntry(v);
  if (!parsed.ok) throw corrupt(source, line, `not a journaled change (${parsed.why})`);
  return parsed.entry;
}

function corrupt(source: string, line: number, what: string, cause?: unknown): LabError {
  return new LabError(
    'corrupt_store',
    `line ${line} of ${source} is ${what}: the journal is damaged before its end, so the changes from ` +
      `there on cannot be trusted. Restore it from a backup, or delete line ${line} and every line after ` +
      'it to start from the changes before it (losing the later ones)',
    cause === undefined ? undefined : { cause },
  );
}
