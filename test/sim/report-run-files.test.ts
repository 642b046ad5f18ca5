/**
 * `sim report` reads a run directory someone else may have written: a damaged
 * purchases.csv, a summary.json that is a named pipe, a purchases.csv that is
 * a link to a device, a summary.json far bigger than any run writes, or a
 * posted-price list no run writes each fail as bad_run_file naming the file
 * and what to do (exit 1, no stack, no hang, no unbounded read).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../sim/commands/report-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { csvHeader } from '../../sim/metrics/csv.js';
import { MAX_RUN_JSON_BYTES } from '../../sim/metrics/run-file.js';
import { readSummary } from '../../sim/report/read-run.js';
import { runCli } from '../cli/run-cli.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const SUMMARY = readFileSync('test/sim/golden/quickstart-seed1.json', 'utf8');
const RERUN = 're-run the scenario to write it again';
const CSV_FIX = `${RERUN}, or move purchases.csv out of the run directory to draw the report without the chart of prices paid`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A run directory holding quickstart's summary.json and `files` (name → text). */
function runDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-run-files-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'summary.json'), SUMMARY);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** What the CLI prints for the error `sim report` throws, and its exit code. */
async function reportFailure(argv: string[]): Promise<{ code: number; text: string }> {
  const err = await reportCommand(argv, io).then(
    () => expect.unreachable('sim report succeeded'),
    (e: unknown) => e,
  );
  const lines: string[] = [];
  const code = failureExit('report', err, (t) => lines.push(t));
  return { code, text: lines.join('\n') };
}

describe('sim report on a damaged purchases.csv', () => {
  it('a row with too few fields exits 1 naming the file, the line and what to do, not a stack trace', async () => {
    const dir = runDir({ 'purchases.csv': `${csvHeader()}1,2,3\n` });
    expect(await reportFailure([dir, '--no-png'])).toEqual({
      code: 1,
      text: `error (bad_run_file): ${dir}/purchases.csv is not a run's purchase records (line 2: expected 40 fields, got 3); ${CSV_FIX}`,
    });
  });
});

describe('sim report on run files that are not regular files or are too big', () => {
  it('a summary.json that is a named pipe exits 1 at once, naming it, instead of waiting for a writer', async () => {
    const dir = runDir();
    rmSync(join(dir, 'summary.json'));
    execFileSync('mkfifo', [join(dir, 'summary.json')]);
    const r = await runCli('sim/cli.ts', ['report', dir, '--no-png'], 30_000);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_run_file): ${dir}/summary.json is not a run summary (a named pipe (FIFO), not a regular file); ${RERUN}\n`,
    });
  }, 60_000);

  it('a purchases.csv linked to /dev/zero exits 1 naming it as a device, instead of reading without end', async () => {
    const dir = runDir();
    symlinkSync('/dev/zero', join(dir, 'purchases.csv'));
    const r = await runCli('sim/cli.ts', ['report', dir, '--no-png'], 30_000);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_run_file): ${dir}/purchases.csv is not a run's purchase records (a device, not a regular file); ${CSV_FIX}\n`,
    });
  }, 60_000);

  it('a summary.json one byte over 256 MiB is refused by its size before it is read', () => {
    const dir = runDir();
    truncateSync(join(dir, 'summary.json'), MAX_RUN_JSON_BYTES + 1);
    expect(() => readSummary(dir)).toThrow(
      `${dir}/summary.json is not a run summary (268,435,457 bytes, over the 256 MiB limit for reading it); ${RERUN}`,
    );
  });

  it('a meta.json that is a named pipe is refused naming it', async () => {
    const dir = runDir();
    execFileSync('mkfifo', [join(dir, 'meta.json')]);
    const r = await runCli('sim/cli.ts', ['report', dir, '--no-png'], 30_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error (bad_run_file): ${dir}/meta.json is not a run's metadata (a named pipe (FIFO), not a regular file); re-run the scenario, or delete meta.json to redraw without provenance\n`,
    );
  }, 60_000);
});

describe('summary.json posted prices', () => {
  it('a seller with an empty posted-price list is refused (every repricing seller posts its start price)', () => {
    const summary = JSON.parse(SUMMARY) as Record<string, unknown>;
    const dir = runDir();
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...summary, postedPrices: { ghost: [] } }));
    expect(() => readSummary(dir)).toThrow(
      `${dir}/summary.json is not a run summary (postedPrices.ghost: expected at least 1 item); ${RERUN}`,
    );
  });
});

describe('sim report given a file', () => {
  it('given the run’s summary.json, says to give its directory', async () => {
    const dir = runDir();
    expect(await reportFailure([join(dir, 'summary.json')])).toEqual({
      code: 2,
      text: `${dir}/summary.json is not a directory; give the run directory that holds it: sim report ${dir}`,
    });
  });
});
