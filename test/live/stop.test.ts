/**
 * Ctrl-C during a live demo: the run stops and what it recorded is written as
 * a run of its own that replays (sim/live/stop-run.ts, sim/stopped-run.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Replay } from '../../sim/live/replay.js';
import { readTimeline } from '../../sim/live/run-files.js';
import { csvHeader, taskCsvHeader } from '../../sim/metrics/csv.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { readSummary, startDemo, summaryTotals, until } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'demo-stop-'));
  dirs.push(dir);
  return dir;
}

/** The replay of `dir`, moved to its end: what the page shows last. */
function replayedTotals(dir: string) {
  const replay = Replay.load(dir);
  try {
    replay.seek(replay.endMs);
    const s = replay.snapshot();
    return { endMs: replay.endMs, status: s.status, totals: s.totals };
  } finally {
    replay.close();
  }
}

/** summary.json's totals as the page shows them. */
function pageTotals(s: Summary) {
  const { purchases, successes, spentMsat, feesMsat, revenueMsat, sales, tasksDone } = summaryTotals(s);
  return { purchases, successes, spentMsat, feesMsat, revenueMsat, sales, tasksDone };
}

/**
 * `npm run demo -- …` in a process group of its own, as a terminal starts it;
 * `interrupt` sends SIGINT to the whole group, as Ctrl-C does (npm, tsx and
 * the demo each get it, and npm and tsx pass it on again).
 */
function npmDemo(args: string[]) {
  const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const text = { out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => (text.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text.err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(kill));
  return { text, exited, interrupt: () => process.kill(-child.pid!, 'SIGINT') };
}

describe('Ctrl-C during npm run demo', () => {
  test('stops the run, says where, exits 0, and leaves a partial run whose files replay with its totals, ending as stopped', async () => {
    const out = join(tempDir(), 'run');
    const demo = npmDemo(['price-war', '--speed', '25', '--port', '0', '--out', out]);
    await until('the page URL', () => demo.text.out.includes('live market view:'), 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    demo.interrupt();
    const code = await demo.exited;
    const summary = readSummary(out);
    const endSec = (summary.endedAtMs / 1000).toFixed(1);
    expect([code, demo.text.err]).toEqual([0, '']);
    expect(demo.text.out.split('\n').slice(1)).toEqual([
      'price-war: 300 s of market at 25x, about 12 s of wall time (then up to 2.4 s while the last purchases finish); the page stays up after the run ends',
      `stopped at ${endSec} s of 360 s of market time: the run did not finish; ${out} holds a partial run (replay: npm run demo -- --replay ${out})`,
      '',
    ]);
    expect(summary.warnings[0]).toBe(
      `stopped at ${endSec} s of 360 s of market time: the run did not finish, and its figures cover the market up to the stop only`,
    );
    expect(summary.conservation.holds).toBe(true);
    expect(readFileSync(join(out, 'purchases.csv'), 'utf8').startsWith(csvHeader())).toBe(true);
    expect(readFileSync(join(out, 'tasks.csv'), 'utf8').startsWith(taskCsvHeader())).toBe(true);
    const replayed = replayedTotals(out);
    expect([replayed.endMs, replayed.status]).toEqual([summary.endedAtMs, 'stopped']);
    expect(replayed.totals).toMatchObject(pageTotals(summary));
    expect(replayed.totals.conservation?.ok).toBe(true);
  }, 180_000);
});

describe('LiveMarket.stop', () => {
  test('stops a paused market, shows it as stopped and writes a run ending where it stopped', async () => {
    const { market, server, outDir } = await startDemo({ durationSec: 3600 }, { speed: 25 });
    try {
      await until('a first purchase', () => market.snapshot().totals.purchases > 0);
      expect(await market.apply({ type: 'pause' })).toEqual({ ok: true, applied: 'pause' });
      const out = await market.stop();
      expect(out.engine.stopped).toBe(true);
      const s = market.snapshot();
      expect([s.status, s.tMs]).toEqual(['stopped', out.summary.endedAtMs]);
      expect(readSummary(outDir).warnings[0]).toBe(
        `stopped at ${(out.summary.endedAtMs / 1000).toFixed(1)} s of 3630 s of market time: the run did not finish, and its figures cover the market up to the stop only`,
      );
      expect(await market.apply({ type: 'resume' })).toEqual({
        ok: false,
        code: 'finished',
        message: 'the run has ended; start a new one or replay it',
      });
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('replay of a run killed before it closed its files', () => {
  test('an empty purchases.csv is refused as empty, not as a bad header', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), '');
    writeFileSync(join(dir, 'purchases.csv'), '');
    expect(() => readTimeline(dir)).toThrow(
      `${join(dir, 'purchases.csv')}: empty, not even its header line (its run was killed before it wrote it); replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)`,
    );
  });
});
