/**
 * The replay (and the live server replaying a run) reads each run file through the one checked
 * open of run files (`readRunText`, sim/metrics/run-file.ts): opened without waiting, then the
 * open file checked. A named pipe swapped in after a check therefore cannot block the read
 * forever, and a file that is not a regular one is refused in the words `sim report` uses.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTimeline } from '../../sim/live/run-files.js';
import { runCli } from '../cli/run-cli.js';

const WHAT_TO_DO =
  'replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)';
const EVENT = '{"t":1,"type":"fault","kind":"x","target":"y","detail":"z"}\n';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-file-swap-'));
  dirs.push(dir);
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

/** Points `link` at `real` and at `pipe` in turn (each a new link renamed over it) until killed. */
const SWAPPER = `
import { renameSync, symlinkSync } from 'node:fs';
const [link, real, pipe] = process.argv.slice(2);
for (let i = 0; ; i++) {
  symlinkSync(i % 2 ? pipe : real, link + '.tmp');
  renameSync(link + '.tmp', link);
  if (i === 100) console.log('swapping');
}
`;

/** Reads `dir`'s timeline `n` times; prints how many times each outcome (events read, or the error) came. */
const READER = `
import { readTimeline } from ${JSON.stringify(resolve('sim/live/run-files.ts'))};
const [dir, n] = process.argv.slice(2);
const seen = {};
for (let i = 0; i < Number(n); i++) {
  let outcome;
  try {
    outcome = readTimeline(dir).length + ' event(s)';
  } catch (err) {
    outcome = err.message;
  }
  seen[outcome] = (seen[outcome] ?? 0) + 1;
}
console.log(JSON.stringify(Object.keys(seen).sort()));
`;

/** Loads `dir` as a replay `n` times; prints the outcomes seen (replayed, or the error), once each. */
const REPLAYER = `
import { Replay } from ${JSON.stringify(resolve('sim/live/replay.ts'))};
const [dir, n] = process.argv.slice(2);
const seen = new Set();
for (let i = 0; i < Number(n); i++) {
  try {
    Replay.load(dir).close();
    seen.add('replayed');
  } catch (err) {
    seen.add(err.message);
  }
}
console.log(JSON.stringify([...seen].sort()));
`;

/**
 * Runs `script` (written into `dir`) with `[dir, n]` while SWAPPER points `link` at `real` and at a
 * named pipe in turn; what it printed, or code null and no output if it was still waiting after 30 s.
 */
async function whileSwapping(dir: string, link: string, real: string, script: string, n: number) {
  const pipe = join(dir, 'pipe');
  execFileSync('mkfifo', [pipe]);
  writeFileSync(join(dir, 'swapper.mjs'), SWAPPER);
  writeFileSync(join(dir, 'script.mts'), script);
  const swapper = spawn(process.execPath, [join(dir, 'swapper.mjs'), link, real, pipe]);
  try {
    await new Promise((ok) => swapper.stdout.once('data', ok));
    return await runCli(join(dir, 'script.mts'), [dir, String(n)], 30_000);
  } finally {
    swapper.kill('SIGKILL');
  }
}

describe('a named pipe as a run file', () => {
  it('npm run demo -- --replay DIR with a named pipe as events.jsonl exits 1 rather than waiting, in the words sim report uses', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'events.jsonl')]);
    const r = await runCli('sim/live/cli.ts', ['--replay', dir, '--port', '0'], 30_000);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_run_file): ${dir}/events.jsonl is not a run's event log (a named pipe (FIFO), not a regular file); ${WHAT_TO_DO}\n`,
    });
  }, 40_000);

  it('refuses a purchases.csv that is a named pipe, naming it as sim report does', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), EVENT);
    execFileSync('mkfifo', [join(dir, 'purchases.csv')]);
    expect(refusal(() => readTimeline(dir))).toEqual({
      code: 'bad_run_file',
      message: `${dir}/purchases.csv is not a run's purchase records (a named pipe (FIFO), not a regular file); ${WHAT_TO_DO}`,
    });
  });

  it('refuses an events.jsonl of 268,435,457 bytes (over 256 MiB) before reading it, in the shared words', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), EVENT);
    truncateSync(join(dir, 'events.jsonl'), 256 * 2 ** 20 + 1); // sparse: nothing written
    expect(refusal(() => readTimeline(dir)).message).toBe(
      `${dir}/events.jsonl is not a run's event log (268,435,457 bytes, over the 256 MiB limit for reading it); ${WHAT_TO_DO}`,
    );
  });

  it('2,000 reads of an events.jsonl swapped between a file and a named pipe all end within 30 s: read or refused, never waiting', async () => {
    const dir = tempDir();
    const [real, link] = ['real.jsonl', 'events.jsonl'].map((f) => join(dir, f));
    writeFileSync(real!, EVENT);
    expect(await whileSwapping(dir, link!, real!, READER, 2000)).toEqual({
      code: 0,
      stdout:
        JSON.stringify([
          `${link} is not a run's event log (a named pipe (FIFO), not a regular file); ${WHAT_TO_DO}`,
          '1 event(s)',
        ]) + '\n',
      stderr: '',
    });
  }, 40_000);

  it('2,000 replays of a run whose meta.json is swapped between a file and a named pipe all end within 30 s: replayed or refused as sim report words it, never waiting', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), EVENT);
    const [real, link] = ['real-meta.json', 'meta.json'].map((f) => join(dir, f));
    writeFileSync(real!, '{"resolvedScenario":{}}\n');
    expect(await whileSwapping(dir, link!, real!, REPLAYER, 2000)).toEqual({
      code: 0,
      stdout:
        JSON.stringify([
          `${link} is not a run's metadata (a named pipe (FIFO), not a regular file); ${WHAT_TO_DO}`,
          'replayed',
        ]) + '\n',
      stderr: '',
    });
  }, 40_000);
});
