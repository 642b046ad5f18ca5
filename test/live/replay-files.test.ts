/**
 * A replay checks each run file as it opens it, before reading it: a directory, a named pipe
 * (whose read would wait forever) or a file over MAX_REPLAY_FILE_BYTES is refused naming the
 * file, what it should be and what to do, in the words `sim report` uses.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Replay } from '../../sim/live/replay.js';
import { MAX_REPLAY_FILE_BYTES, readSummary, readTimeline } from '../../sim/live/run-files.js';
import { runCli } from '../cli/run-cli.js';

const WHAT_TO_DO =
  'replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)';
const EVENT = '{"t":1,"type":"fault","kind":"x","target":"y","detail":"z"}\n';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A run directory holding `events.jsonl` with one event, unless `events` is false. */
function runDir(events = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-files-'));
  dirs.push(dir);
  if (events) writeFileSync(join(dir, 'events.jsonl'), EVENT);
  return dir;
}

function refusal(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('run files that are not files', () => {
  it('refuses an events.jsonl that is a directory, naming it', () => {
    const dir = runDir(false);
    mkdirSync(join(dir, 'events.jsonl'));
    expect(refusal(() => readTimeline(dir))).toEqual({
      code: 'bad_run_file',
      message: `${dir}/events.jsonl is not a run's event log (a directory, not a regular file); ${WHAT_TO_DO}`,
    });
  });

  it('refuses a purchases.csv that is a directory, naming it', () => {
    const dir = runDir();
    mkdirSync(join(dir, 'purchases.csv'));
    expect(refusal(() => readTimeline(dir)).message).toBe(
      `${dir}/purchases.csv is not a run's purchase records (a directory, not a regular file); ${WHAT_TO_DO}`,
    );
  });

  it('refuses a summary.json that is a directory, naming it', () => {
    const dir = runDir();
    mkdirSync(join(dir, 'summary.json'));
    expect(refusal(() => readSummary(dir)).message).toBe(
      `${dir}/summary.json is not a run summary (a directory, not a regular file); ${WHAT_TO_DO}`,
    );
  });

  it('refuses a meta.json that is a directory rather than playing on without the scenario', () => {
    const dir = runDir();
    mkdirSync(join(dir, 'meta.json'));
    expect(refusal(() => Replay.load(dir)).message).toBe(
      `${dir}/meta.json is not a run's metadata (a directory, not a regular file); ${WHAT_TO_DO}`,
    );
  });

  it('npm run demo -- --replay DIR with a named pipe as events.jsonl exits 1 naming it, rather than waiting forever', async () => {
    const dir = runDir(false);
    execFileSync('mkfifo', [join(dir, 'events.jsonl')]);
    const r = await runCli('sim/live/cli.ts', ['--replay', dir, '--port', '0'], 30_000);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_run_file): ${dir}/events.jsonl is not a run's event log (a named pipe (FIFO), not a regular file); ${WHAT_TO_DO}\n`,
    });
  }, 40_000);
});

describe('run files over the size a replay reads', () => {
  it(`refuses an events.jsonl of ${MAX_REPLAY_FILE_BYTES + 1} bytes before reading it`, () => {
    const dir = runDir();
    truncateSync(join(dir, 'events.jsonl'), MAX_REPLAY_FILE_BYTES + 1); // sparse: nothing written
    expect(refusal(() => readTimeline(dir)).message).toBe(
      `${dir}/events.jsonl is not a run's event log (268,435,457 bytes, over the 256 MiB limit for reading it); ${WHAT_TO_DO}`,
    );
  });
});
