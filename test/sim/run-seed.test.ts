/** `sim run --seed` takes an integer only when it is exact. */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Were the seed accepted, the run would be short and write to a temporary directory.
const args = ['--set', 'durationSec=1', '--out', join(mkdtempSync(join(tmpdir(), 'run-seed-')), 'out')];
const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

describe('run --seed', () => {
  it('refuses 9007199254740993, which Number() turned into the different seed 9007199254740992', async () => {
    await expect(runCommand(['quickstart', '--seed', '9007199254740993', ...args], io)).rejects.toMatchObject(
      {
        code: 'usage',
        message:
          '--seed 9007199254740993 is not an integer a run can use exactly (at most 9007199254740991 in size); give a smaller integer, or text such as --seed s9007199254740993',
      },
    );
  });

  it('refuses an integer below -(2^53 − 1) the same way', async () => {
    await expect(runCommand(['quickstart', '--seed=-9007199254740993', ...args], io)).rejects.toMatchObject({
      code: 'usage',
    });
  });
});
