import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError } from '../../infra/errors.js';
import { parsePurchasesCsv } from '../metrics/csv.js';
import { readRunSummary, readRunText, runFileFailure, type RunFileErrorCode } from '../metrics/run-file.js';
import type { Summary } from '../metrics/summary.js';
import type { LiveInput } from './state.js';

/** One recorded fact at its market time (ms since the run started). */
export interface Entry {
  t: number;
  input: LiveInput;
}

/** What a person can do about a run directory the replay refuses. */
const WHAT_TO_DO =
  'replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)';

/** A run directory's file the replay cannot use: the file, where in it, and what to do. */
function damaged(where: string, problem: string): LabError<RunFileErrorCode> {
  return new LabError('bad_run_file', `${where}: ${problem}; ${WHAT_TO_DO}`);
}

/**
 * Largest run file the replay reads (each of events.jsonl, purchases.csv,
 * summary.json, meta.json): the replay holds the whole timeline in memory,
 * about twice the file's size. A 480 s quickstart demo writes 1.1 MB of events.
 */
export const MAX_REPLAY_FILE_BYTES = 256 * 1024 * 1024;

/**
 * `file`'s text if there is such a file (undefined when there is none), read through the one
 * checked open of run files (`readRunText`, sim/metrics/run-file.ts): opened without waiting and
 * the open file checked, so a directory, a named pipe (whose read would wait for a writer forever,
 * also one swapped in after a check), a device or a file over MAX_REPLAY_FILE_BYTES is refused
 * naming it and `what` it should be, worded as `sim report` words it.
 */
export function runFileText(file: string, what: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return readRunText(file, runFileFailure(file, what, WHAT_TO_DO), MAX_REPLAY_FILE_BYTES);
}

/** A time or amount the page can fold: a number (zod refuses NaN and infinities), not below zero. */
const ms = z.number().min(0);

function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : v === undefined ? 'nothing' : JSON.stringify(v);
}

/** `field` of a line or row, checked to be a finite number ≥ 0 (JSON's 1e400 reads as Infinity). */
function time(where: string, field: string, v: unknown): number {
  if (!ms.safeParse(v).success)
    throw damaged(where, `"${field}" must be a finite number ≥ 0, got ${shown(v)}`);
  return v as number;
}

/**
 * Reads a run's events.jsonl and purchases.csv into one timeline sorted by
 * time (stable: facts at the same instant keep file order). Every time and
 * amount the page folds is checked, so a damaged file is refused here,
 * naming the file, the line and the field, rather than playing back wrong.
 */
export function readTimeline(dir: string): Entry[] {
  const eventsFile = join(dir, 'events.jsonl');
  const events = runFileText(eventsFile, "a run's event log");
  if (events === undefined)
    throw new LabError<RunFileErrorCode>(
      'bad_run_file',
      `${eventsFile} not found: replay needs a run written with events (no --no-events)`,
    );
  const timeline: Entry[] = [];
  events.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${eventsFile} line ${i + 1}`;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw damaged(where, 'not JSON');
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw damaged(where, 'not a JSON object');
    const { t, type, ...data } = e as Record<string, unknown>;
    if (typeof type !== 'string') throw damaged(where, `"type" must be a string, got ${shown(type)}`);
    const at = time(where, 't', t);
    if (type === 'task' && data.role === 'buyer') {
      const start = time(where, 'startedAtMs', data.startedAtMs);
      const who = { buyer: String(data.buyer), group: String(data.group), role: 'buyer' };
      timeline.push({ t: start, input: { kind: 'task_start', t: start, ...who } });
    }
    timeline.push({ t: at, input: { kind: 'event', t: at, type, data } });
  });
  const csv = join(dir, 'purchases.csv');
  const text = runFileText(csv, "a run's purchase records");
  if (text !== undefined) timeline.push(...purchases(csv, text));
  return timeline.sort((a, b) => a.t - b.t);
}

/** purchases.csv's rows (`text`, read from `csv`) as purchases and sales, their times and amounts checked. */
function purchases(csv: string, text: string): Entry[] {
  // A run writes the header first: an empty file is one whose run was killed before it closed its files.
  if (text === '')
    throw damaged(csv, 'empty, not even its header line (its run was killed before it wrote it)');
  let rows;
  try {
    rows = parsePurchasesCsv(text);
  } catch (err) {
    const problem = (err as Error).message.replace(/^purchases\.csv:? ?/, '');
    throw damaged(csv, problem);
  }
  return rows.flatMap((row, i) => {
    const where = `${csv} line ${i + 2}`;
    for (const f of ['endMs', 'paidMsat', 'feeMsat', 'hops'] as const) time(where, f, row[f]);
    const t = row.endMs;
    const out: Entry[] = [{ t, input: { kind: 'purchase', row } }];
    if (row.paidMsat > 0)
      out.push({
        t,
        input: {
          kind: 'sale',
          seller: row.seller,
          group: row.seller,
          amountMsat: row.paidMsat,
          reseller: row.role === 'sub-agent',
        },
      });
    return out;
  });
}

/**
 * summary.json if the run wrote one (a run still going has none), opened, read and checked as
 * `sim report` reads it (`readRunSummary`).
 */
export function readSummary(dir: string): Summary | undefined {
  if (!existsSync(join(dir, 'summary.json'))) return undefined;
  return readRunSummary(dir, WHAT_TO_DO);
}
