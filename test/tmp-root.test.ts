/**
 * The run's temporary directory (test/tmp-root.ts, vitest's globalSetup):
 * what tests make under os.tmpdir() goes in it, and it goes at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import setup from './tmp-root.js';

describe('the test run temporary directory', () => {
  it('is os.tmpdir() in a test worker and in a process the test spawns', () => {
    const inWorker = tmpdir();
    const inChild = execFileSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], {
      encoding: 'utf8',
    }).trim();
    expect(basename(inWorker)).toMatch(/^l402-test-[A-Za-z0-9]{6}$/);
    expect(inChild).toBe(inWorker);
  });

  it('setup makes a new directory TMPDIR; its teardown removes it with what it holds and gives TMPDIR back', () => {
    const before = process.env.TMPDIR;
    const teardown = setup();
    const root = process.env.TMPDIR!;
    try {
      expect([dirname(root), basename(root).slice(0, 10)]).toEqual([before, 'l402-test-']);
      mkdirSync(join(root, 'a', 'b'), { recursive: true });
      writeFileSync(join(root, 'a', 'b', 'f.txt'), 'x');
    } finally {
      teardown();
    }
    expect([existsSync(root), process.env.TMPDIR]).toEqual([false, before]);
  });
});
