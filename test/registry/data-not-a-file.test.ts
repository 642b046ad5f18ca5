/**
 * A registry data path that is there but is not a file (a directory; a named
 * pipe, whose read would wait forever) is refused as `not_a_file` naming it
 * before anything reads it; the CLI says it as a problem of --data, exit 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonFileRegistryStore } from '../../services/registry/index.js';
import { runCli } from '../cli/run-cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'registry-data-'));
  dirs.push(dir);
  return dir;
}

const WHAT_TO_DO = 'pass --data the path of a file (made if missing), e.g. --data ./registry.json';

describe('JsonFileRegistryStore on a path that is not a file', () => {
  it('refuses a snapshot path that is a directory with not_a_file naming it', async () => {
    const dir = tempDir();
    await expect(new JsonFileRegistryStore(dir).load()).rejects.toMatchObject({
      code: 'not_a_file',
      message: `${dir} is a directory, not a file`,
    });
  });

  it('refuses a journal (FILE.journal) that is a directory with not_a_file naming it', async () => {
    const file = join(tempDir(), 'registry.json');
    mkdirSync(`${file}.journal`);
    await expect(new JsonFileRegistryStore(file).load()).rejects.toMatchObject({
      code: 'not_a_file',
      message: `${file}.journal is a directory, not a file`,
    });
  });
});

describe('npm run registry -- --data PATH that is not a file', () => {
  it('a directory: "--data DIR cannot be used: DIR is a directory, not a file" and what to pass, exit 1', async () => {
    const dir = tempDir();
    const r = await runCli('services/registry/cli.ts', [
      '--data',
      dir,
      '--port',
      '0',
      '--probe-interval-ms',
      '0',
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `--data ${dir} cannot be used: ${dir} is a directory, not a file; ${WHAT_TO_DO}\n`,
    });
  });

  it('a named pipe: refused the same way at once, rather than waiting forever for a writer', async () => {
    const fifo = join(tempDir(), 'registry.json');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(
      'services/registry/cli.ts',
      ['--data', fifo, '--port', '0', '--probe-interval-ms', '0'],
      30_000,
    );
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `--data ${fifo} cannot be used: ${fifo} is a named pipe (FIFO), not a file; ${WHAT_TO_DO}\n`,
    });
  }, 40_000);
});
