/** `sim run`'s command line: repeated flags, --network, --seed, a reused --out, and progress off a terminal. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOutDir, runCommand } from '../../sim/commands/run-command.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { reportCommand } from '../../sim/commands/report-command.js';
import { workerCommand } from '../../sim/commands/worker-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { RUN_CHART_IDS } from '../../sim/report/write-run.js';
import { runCharts } from '../../sim/report/charts.js';
import { readSummary } from '../../sim/report/read-run.js';

/** Buffers for out and err; `stepMs`: how far the wall clock moves at each reading (0: stands still). */
function buffers(stepMs = 0): CommandIo & { text: () => string } {
  const lines: string[] = [];
  let t = 0;
  return {
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    interactive: false,
    now: () => new Date((t += stepMs)),
    text: () => lines.join('\n'),
  };
}

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
// Were a refused command to run after all, it would write here, not under runs/.
const scratch = join(tmp('run-command-'), 'out');
const short = ['--out', scratch, '--set', 'durationSec=1', '--no-png'];

describe('every sim command refuses a single-valued flag given twice', () => {
  it.each([
    [
      'run',
      runCommand,
      ['quickstart', '--seed', '1', '--seed', '2', '--out', scratch],
      '--seed is given twice (1, 2)',
    ],
    [
      'sweep',
      sweepCommand,
      ['quickstart', '--seeds', '3', '--seeds=5', '--out', scratch],
      '--seeds is given twice (3, 5)',
    ],
    [
      'validate',
      validateCommand,
      ['x', '--backend', 'regtest', '--backend', 'embedded'],
      '--backend is given twice (regtest, embedded)',
    ],
    ['report', reportCommand, ['dir', '--no-png', '--no-png'], '--no-png is given twice'],
    [
      'worker',
      workerCommand,
      ['--queue', 'redis://a:1', '--queue', 'redis://b:1'],
      '--queue is given twice (redis://a:1, redis://b:1)',
    ],
  ] as const)('%s', async (_, command, args, message) => {
    await expect(command([...args], buffers())).rejects.toMatchObject({
      code: 'usage',
      message: `${message}; give it once`,
    });
  });

  it('run and sweep still take --set and --grid many times', async () => {
    await expect(
      runCommand(['--set', 'a=1', '--set', 'b=2', '--seed', '1', '--seed', '2'], buffers()),
    ).rejects.toThrow('--seed is given twice');
    expect(await runCommand(['--set', 'a=1', '--set', 'b=2', '--help'], buffers())).toBe(0);
    expect(
      await sweepCommand(
        ['--grid', 'a=1,2', '--grid', 'b=1,2', '--set', 'c=1', '--set', 'd=1', '-h'],
        buffers(),
      ),
    ).toBe(0);
  });
});

describe('run --network and --seed', () => {
  it('refuses --network without --backend regtest', async () => {
    await expect(
      runCommand(['quickstart', '--network', '/nonexistent/network.json', ...short], buffers()),
    ).rejects.toMatchObject({
      code: 'usage',
      message: '--network is for --backend regtest; add --backend regtest, or drop --network',
    });
  });

  it.each([
    [
      '1.0',
      '--seed 1.0 looks like a number but is not a plain integer (a scenario file reads it as 1); give --seed 1, or, if you meant a text seed, text such as --seed s1.0',
    ],
    [
      '1e3',
      '--seed 1e3 looks like a number but is not a plain integer (a scenario file reads it as 1000); give --seed 1000, or, if you meant a text seed, text such as --seed s1e3',
    ],
    [
      '+5',
      '--seed +5 looks like a number but is not a plain integer (a scenario file reads it as 5); give --seed 5, or, if you meant a text seed, text such as --seed s+5',
    ],
    [
      '1.5',
      '--seed 1.5 looks like a number but is not a plain integer (a scenario file reads it as 1.5); give an integer, or, if you meant a text seed, text such as --seed s1.5',
    ],
  ])('refuses --seed %s, which a scenario file reads as a number', async (seed, message) => {
    await expect(runCommand(['quickstart', '--seed', seed, ...short], buffers())).rejects.toMatchObject({
      code: 'usage',
      message,
    });
  });

  it('keeps a text seed inside runs/ for the default --out, one directory per seed', () => {
    expect(defaultOutDir('quickstart', 7)).toBe(join('runs', 'quickstart-7'));
    expect(defaultOutDir('quickstart', 'run-a.1')).toBe(join('runs', 'quickstart-run-a.1'));
    const odd = defaultOutDir('quickstart', 'a/../../b');
    expect(odd).toMatch(/^runs[/\\]quickstart-a-\.\.-\.\.-b-[0-9a-f]{8}$/);
    expect(odd).not.toBe(defaultOutDir('quickstart', 'a/../..\\b'));
  });
});

describe('run into a used --out', () => {
  it('removes the outputs the new run does not write, keeps other files, and lists what it wrote', async () => {
    const dir = tmp('run-out-');
    const first = buffers();
    expect(await runCommand(['quickstart', '--out', dir, '--set', 'durationSec=5'], first)).toBe(0);
    expect(first.text()).toContain(
      `data:   ${dir}/{summary.json,meta.json,purchases.csv,tasks.csv,events.jsonl}`,
    );
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual([
      ...['group-surplus.png', 'latency-cdf.png', 'outcomes.png', 'price-over-time.png', 'quoted-prices.png'],
      ...[
        'seller-share.png',
        'spend-over-time.png',
        'step-latency.png',
        'success-by-amount.png',
        'welfare-split.png',
      ],
    ]);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'charts', 'mine.png'), 'mine');
    mkdirSync(join(dir, 'runs'));
    const again = buffers();
    const args = ['--no-events', '--no-png', '--seed', '2', '--set', 'durationSec=3'];
    expect(await runCommand(['quickstart', '--out', dir, ...args], again)).toBe(0);
    expect(again.text()).toContain(`data:   ${dir}/{summary.json,meta.json,purchases.csv,tasks.csv}`);
    expect(again.text()).not.toContain('events.jsonl');
    expect(existsSync(join(dir, 'events.jsonl'))).toBe(false);
    expect(readdirSync(join(dir, 'charts'))).toEqual(['mine.png']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'runs'))).toBe(true);
    expect(readSummary(dir).seed).toBe(2);
  });

  it('knows the id of every chart a run draws, so that a rerun removes it', () => {
    for (const name of readdirSync('test/sim/golden').filter((f) => f.endsWith('.json'))) {
      const s = JSON.parse(readFileSync(join('test/sim/golden', name), 'utf8')) as Parameters<
        typeof runCharts
      >[0];
      for (const c of runCharts(s, [{ startMs: 0, seller: 'x', paidMsat: 1 }]))
        expect(RUN_CHART_IDS).toContain(c.id);
    }
  });
});

describe('run and sweep progress off a terminal', () => {
  it('prints a plain progress line now and then when stderr is not a terminal', async () => {
    // Each reading of the wall clock is 11 s later, so every tenth of the market time earns a line.
    const io = buffers(11_000);
    const dir = tmp('run-progress-');
    expect(await runCommand(['quickstart', '--out', dir, '--no-png', '--set', 'durationSec=20'], io)).toBe(0);
    const lines = io
      .text()
      .split('\n')
      .filter((l) => l.startsWith('run: '));
    expect(lines).toEqual([
      'run: 5/20 s of market time, eta 66 s',
      'run: 8/20 s of market time, eta 50 s',
      'run: 11/20 s of market time, eta 45 s',
      'run: 14/20 s of market time, eta 33 s',
      'run: 17/20 s of market time, eta 17 s',
      'run: 20/20 s of market time, eta 0 s',
    ]);
  });

  it('a sweep prints plain progress lines when stderr is not a terminal', async () => {
    const io = buffers(11_000);
    const out = join(tmp('sweep-progress-'), 'out');
    const args = ['quickstart', '--grid', 'durationSec=2,3', '--seeds', '5', '--workers', '0', '--out', out];
    expect(await sweepCommand(args, io)).toBe(0);
    const lines = io
      .text()
      .split('\n')
      .filter((l) => l.startsWith('sweep: '));
    // One line per run: each run takes several 11 s readings, more than a tenth of the 10 runs' time.
    expect(lines).toEqual([
      'sweep: 1/10 runs, eta 2 min',
      ...[88, 77, 66, 55, 44, 33, 22, 11].map((eta, i) => `sweep: ${i + 2}/10 runs, eta ${eta} s`),
      'sweep: 10/10 runs, eta 0 s',
    ]);
  });
});
