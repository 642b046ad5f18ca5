/**
 * A run directory may hold symbolic links someone planted: `sim report` and
 * `sim run --out` replace a linked report.html or chart rather than writing
 * through it, and refuse a charts/ that is a link rather than writing or
 * removing PNGs wherever it points.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../sim/commands/report-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { clearRunOutputs } from '../../sim/report/write-run.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const SUMMARY = readFileSync('test/sim/golden/quickstart-seed1.json', 'utf8');
const PNG_MAGIC = '89504e470d0a1a0a';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-links-'));
  dirs.push(dir);
  return dir;
}

/** A run directory holding quickstart's summary.json, and a victim directory outside it holding `precious.png`. */
function setup(): { dir: string; victim: string } {
  const dir = tmp();
  writeFileSync(join(dir, 'summary.json'), SUMMARY);
  const victim = tmp();
  writeFileSync(join(victim, 'precious.png'), 'precious');
  writeFileSync(join(victim, 'latency-cdf.png'), 'precious');
  return { dir, victim };
}

const chartsLinkMessage = (dir: string) =>
  `${dir}/charts is a symbolic link: a run writes and removes its charts only in a directory of its own, never through a link; remove the link and try again`;

describe('sim report with links planted in the run directory', () => {
  it('replaces a report.html that links to a file outside, leaving that file as it was', async () => {
    const { dir, victim } = setup();
    symlinkSync(join(victim, 'precious.png'), join(dir, 'report.html'));
    await reportCommand([dir, '--no-png'], io);
    expect(readFileSync(join(victim, 'precious.png'), 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'report.html')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'report.html'), 'utf8').slice(0, 15)).toBe('<!doctype html>');
  });

  it('replaces a chart that links to a file outside, leaving that file as it was', async () => {
    const { dir, victim } = setup();
    mkdirSync(join(dir, 'charts'));
    symlinkSync(join(victim, 'latency-cdf.png'), join(dir, 'charts', 'latency-cdf.png'));
    await reportCommand([dir], io);
    expect(readFileSync(join(victim, 'latency-cdf.png'), 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'charts', 'latency-cdf.png')).isSymbolicLink()).toBe(false);
    expect(
      readFileSync(join(dir, 'charts', 'latency-cdf.png'))
        .subarray(0, 8)
        .toString('hex'),
    ).toBe(PNG_MAGIC);
  }, 60_000);

  it('refuses a charts/ that links to a directory outside, writing nothing there', async () => {
    const { dir, victim } = setup();
    symlinkSync(victim, join(dir, 'charts'));
    await expect(reportCommand([dir], io)).rejects.toMatchObject({
      code: 'bad_out_dir',
      message: chartsLinkMessage(dir),
    });
    expect(readdirSync(victim).sort()).toEqual(['latency-cdf.png', 'precious.png']);
    expect(readFileSync(join(victim, 'latency-cdf.png'), 'utf8')).toBe('precious');
  }, 60_000);
});

describe('sim run --out a directory whose charts/ is a link', () => {
  it('clearing the previous run refuses the link before removing anything, so no PNG where it points is deleted', () => {
    const { dir, victim } = setup();
    symlinkSync(victim, join(dir, 'charts'));
    expect(() => clearRunOutputs(dir)).toThrow(chartsLinkMessage(dir));
    expect(readdirSync(victim).sort()).toEqual(['latency-cdf.png', 'precious.png']);
    expect(readdirSync(dir).sort()).toEqual(['charts', 'summary.json']);
  });

  it('sim run refuses it before the market is built', async () => {
    const { dir, victim } = setup();
    symlinkSync(victim, join(dir, 'charts'));
    await expect(
      runCommand(['quickstart', '--out', dir, '--set', 'durationSec=1'], io),
    ).rejects.toMatchObject({
      code: 'bad_out_dir',
      message: chartsLinkMessage(dir),
    });
    expect(readdirSync(dir).sort()).toEqual(['charts', 'summary.json']);
    expect(readdirSync(victim).sort()).toEqual(['latency-cdf.png', 'precious.png']);
  }, 60_000);
});
