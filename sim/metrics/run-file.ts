import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Summary } from './summary.js';
import { summarySchema } from './summary-schema.js';
import { LabError } from '../../infra/errors.js';
import { describeIssues, formatPath, plainErrorMap } from '../../infra/zod-wording.js';

/**
 * Reads a finished run's JSON files back (`sim report`, the replay), checking
 * each against its schema: a file that is not what a run writes fails with its
 * path, what is wrong and what to do, never deep inside a chart or a replay.
 */

/** A run file that is not what a run writes. */
export type RunFileErrorCode = 'bad_run_file';

/** Words why a run file is refused as the error to throw. */
export type RunFileFailure = (why: string) => LabError<RunFileErrorCode>;

/** Problems listed before "and N more". */
const SHOWN = 4;

/**
 * Reads a run directory's summary.json back, checked against summary.json's schema; `fix` says
 * what to do about one that is not a run summary (it fits the command reading it).
 */
export function readRunSummary(dir: string, fix: string): Summary {
  const file = join(dir, 'summary.json');
  const fail = runFileFailure(file, 'a run summary', fix);
  return checkedRunJson(readRunJson(file, fail), summarySchema, fail);
}

/** `<file> is not <what> (<why>); <fix>`, as a bad_run_file error. */
export function runFileFailure(file: string, what: string, fix: string): RunFileFailure {
  return (why) => new LabError('bad_run_file', `${file} is not ${what} (${why}); ${fix}`);
}

/** A run file's JSON (at most MAX_RUN_JSON_BYTES); text that is not JSON fails through `fail`. */
export function readRunJson(file: string, fail: RunFileFailure): unknown {
  const text = readRunText(file, fail, MAX_RUN_JSON_BYTES);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail(`not JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
}

/**
 * The document itself once `schema` takes it (keeping the file's key order, which the report
 * follows); one it refuses fails through `fail`, listing what is missing and what is wrong
 * (a run file's `RunFileFailure`, or another reader's error: a sweep's stored reply).
 */
export function checkedRunJson<T>(doc: unknown, schema: z.ZodType<T>, fail: (why: string) => Error): T {
  const parsed = schema.safeParse(doc, {
    error: (i) => (i.input === undefined ? MISSING : plainErrorMap(i)),
  });
  if (!parsed.success) throw fail(problems(parsed.error.issues));
  return doc as T;
}

const MISSING = 'missing';

/** What is wrong, briefly: `missing scenario, groups; latency.cdf: expected a list, got "x"`. */
function problems(issues: readonly z.core.$ZodIssue[]): string {
  const missing = issues.filter((i) => i.message === MISSING).map((i) => formatPath(i.path));
  const wrong = issues.filter((i) => i.message !== MISSING);
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${capped(missing, ', ')}`);
  if (wrong.length) parts.push(describeIssues(wrong, { whole: 'the whole file', shown: SHOWN }));
  return parts.join('; ');
}

function capped(items: readonly string[], separator: string): string {
  const more = items.length - SHOWN;
  return items.slice(0, SHOWN).join(separator) + (more > 0 ? ` and ${more} more` : '');
}

/**
 * Most bytes of summary.json or meta.json read back. A summary grows with the run's groups
 * (quickstart's take 2.7 kB each, a latency CDF apiece), so a run at the 50,000-node limit with
 * one group per node writes about 150 MB, and JSON.parse holds a few times the file. A bigger
 * file is no run's, and is refused before it is read.
 */
export const MAX_RUN_JSON_BYTES = 256 * 2 ** 20;

/** Bytes read at a time. */
const CHUNK_BYTES = 2 ** 20;

/** A run file opened to read: its descriptor (the caller closes it) and its size when opened. */
export interface OpenRunFile {
  fd: number;
  size: number;
}

/**
 * Opens `file` to read without waiting (a named pipe with no writer would block the open, and
 * every read, forever) and refuses through `fail` anything but a regular file: a named pipe, a
 * device (a link to /dev/zero never ends), a socket, a directory. Undefined when there is no
 * such file.
 */
export function openRunFile(file: string, fail: RunFileFailure): OpenRunFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw fail(`cannot be opened: ${code ?? (err as Error).message}`);
  }
  const st = fstatSync(fd);
  if (st.isFile()) return { fd, size: st.size };
  closeSync(fd);
  throw fail(`${fileKind(st)}, not a regular file`);
}

/** What a file that is not a regular file is, in words. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * The text of an open run file, a chunk at a time (UTF-8, a character cut between chunks
 * kept whole); past `maxBytes` it fails through `fail` (a file can grow after it was opened).
 */
export function* runFileChunks(fd: number, maxBytes: number, fail: RunFileFailure): Generator<string> {
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let total = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw fail(overLimit(maxBytes));
    yield decoder.write(buf.subarray(0, n));
  }
  yield decoder.end();
}

/** `file`'s whole text, checked as `openRunFile` checks it and at most `maxBytes` long. */
export function readRunText(file: string, fail: RunFileFailure, maxBytes: number): string {
  const opened = openRunFile(file, fail);
  if (!opened) throw fail('no such file');
  try {
    if (opened.size > maxBytes) throw fail(overLimit(maxBytes, opened.size));
    return [...runFileChunks(opened.fd, maxBytes, fail)].join('');
  } finally {
    closeSync(opened.fd);
  }
}

/** Why a file over `maxBytes` is refused: its size, or (`bytes` undefined) that it grew past the limit while read. */
function overLimit(maxBytes: number, bytes?: number): string {
  const limit = `the ${(maxBytes / 2 ** 20).toLocaleString('en-US')} MiB limit for reading it`;
  return bytes === undefined
    ? `grew past ${limit} while read`
    : `${bytes.toLocaleString('en-US')} bytes, over ${limit}`;
}
