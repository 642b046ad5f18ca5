/**
 * One writer at a time in an --out directory (infra/out-dir-lock.ts): a second sweep or run
 * into a directory a live sweep or run is writing is refused, naming the directory and that
 * process; the lock goes when the sweep ends, however it ends, and one left by a dead process is
 * taken over.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStartTime } from '../../infra/file-lock.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { SweepStopped } from '../../sim/sweep/stopped-sweep.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { sweepFailure } from './sweep-failure.js';

const base = { durationSec: 5, drainSec: 5 };
const loaded = loadScenario('quickstart', { overrides: base, checks: scenarioChecks });
const sweep = (outDir: string, seeds: number, signal?: AbortSignal, onProgress?: (done: number) => void) =>
  runSweep({
    scenario: 'quickstart',
    loaded,
    axes: parseGridArgs(['buyers[0].count=3']),
    seeds,
    workers: 0,
    base,
    outDir,
    ...(signal && { signal }),
    ...(onProgress && { onProgress }),
  });

/** Every file under `dir`, relative, sorted. */
const tree = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

const busy = (out: string, pid: number | string, writer: string, who = `process ${pid}`) =>
  `--out ${out} is in use: ${who} is writing a sweep or a run there, and a ${writer} writing there too ` +
  `would mix their files; give another --out, or wait for that process to end ` +
  `(a lock left in ${out}/out.lock by a process that died is taken over)`;

/** Another live process, holding `out`'s lock as a sweep of its own would. */
async function otherWriter(out: string) {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  writeFileSync(join(out, 'out.lock'), `${pid} ${(await processStartTime(pid)) ?? ''}\n`);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { pid, end: async () => (child.kill('SIGKILL'), await exited) };
}
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

describe('two sweeps into one --out', () => {
  it('refuses the second while the first runs, naming the directory and the process; the first writes only its own seeds and leaves no lock', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'out-lock-')), 'out');
    const first = sweep(out, 2);
    // The lock is taken before the first run: within moments, long before the sweep's end.
    for (let i = 0; i < 2000 && !existsSync(join(out, 'out.lock')); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(join(out, 'out.lock'))).toBe(true);
    await expect(sweep(out, 1)).rejects.toMatchObject({
      code: 'out_dir_busy',
      message: busy(out, process.pid, 'sweep', `process ${process.pid} (this one)`),
    });
    expect((await first).result.seeds).toEqual([1, 2]);
    expect(tree(out).filter((f) => !f.startsWith('charts/'))).toEqual([
      'report.html',
      'runs/point-0/seed-1/summary.json',
      'runs/point-0/seed-2/summary.json',
      'sweep.csv',
      'sweep.json',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).seeds).toEqual([1, 2]);
  }, 120_000);

  it('refuses `sim sweep` and `sim run` into a directory another live process holds (exit 1), and takes over its lock once that process is gone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'out-lock-other-'));
    const other = await otherWriter(out);
    const flags = ['--set', 'durationSec=5', '--set', 'drainSec=5', '--out', out];
    expect(
      await sweepFailure([
        'quickstart',
        '--grid',
        'buyers[0].count=3',
        '--seeds',
        '1',
        '--workers',
        '0',
        ...flags,
      ]),
    ).toEqual({
      code: 1,
      text: `error (out_dir_busy): ${busy(out, other.pid, 'sweep')}`,
    });
    const lines: string[] = [];
    const refused = await runCommand(['quickstart', '--no-png', ...flags], io).catch((e: unknown) => e);
    expect([failureExit('run', refused, (t) => lines.push(t)), lines]).toEqual([
      1,
      [`error (out_dir_busy): ${busy(out, other.pid, 'run')}`],
    ]);
    expect(tree(out)).toEqual(['out.lock']);
    await other.end();
    expect((await sweep(out, 1)).result.seeds).toEqual([1]);
    expect(existsSync(join(out, 'out.lock'))).toBe(false);
  }, 120_000);
});

describe('a sweep gives its --out up however it ends', () => {
  it('stopped after its first run, it held the --out until then (a second sweep was refused) and leaves no lock: the next sweep runs there', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'out-lock-stop-')), 'out');
    const stop = new AbortController();
    let second: unknown;
    const first = sweep(out, 3, stop.signal, (done) => {
      if (done !== 1) return;
      second = sweep(out, 1).catch((e: unknown) => e);
      stop.abort();
    });
    expect(await first.catch((e: unknown) => e)).toBeInstanceOf(SweepStopped);
    expect(await second).toMatchObject({ code: 'out_dir_busy' });
    expect(tree(out)).toEqual(['runs/point-0/seed-1/summary.json']);
    expect((await sweep(out, 1)).result.seeds).toEqual([1]);
    expect(existsSync(join(out, 'out.lock'))).toBe(false);
  }, 120_000);
});
