/**
 * `sim run`'s closing line names each of its numbers: it printed "wall time 0.4 s for 57.4 s of
 * market time" under a header of "60 s of market", so the two market times read as one that
 * disagreed with itself. The 57.4 s is when the market ended (summary.json's endedAtMs), the
 * 60 s when arrivals stop (durationSec), and the run may go on for drainSec after it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../sim/commands/run-command.js';

describe('sim run quickstart prints its times, each named', () => {
  it('the market ended at 57.4 s, arrivals stopped at 60 s, a drain of up to 30 s, then wall time and attempts per second of it', async () => {
    const lines: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: () => {},
      interactive: false,
      now: () => new Date(0),
    };
    const out = join(mkdtempSync(join(tmpdir(), 'run-times-')), 'out');
    expect(await runCommand(['quickstart', '--no-png', '--out', out], io)).toBe(0);
    expect(lines[0]).toMatch(/^quickstart \(seed 1, embedded\): 60 s of market, /);
    expect(lines.filter((l) => l.startsWith('market time:'))).toEqual([
      expect.stringMatching(
        /^market time: ended at 57\.4 s \(arrivals stop at 60 s; tasks in flight then get up to 30 s more\); wall time \d+\.\d s; [\d,]+ purchase attempts per second of wall time$/,
      ),
    ]);
  });
});
