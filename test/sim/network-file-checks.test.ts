/**
 * `network.file` is read within bounds when a scenario is validated: a named pipe hung validate,
 * /dev/zero was read until the process ran out of memory (17 GB), and a directory or a file that is
 * not JSON validated and failed the run. Each is now an issue at `network.file`.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETWORK_FILE_MAX_BYTES } from '../../sim/scenario/network-file.js';
import { issueLines, minimalMarket } from './scenario-fixture.js';

const GIVE = 'give a SimLN sim_network JSON or the network.json of npm run network:up';
const issues = (file: string) => issueLines(minimalMarket('network-file', { 'network.file': file }));

describe('a network.file that cannot be used is an issue at network.file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'network-file-'));

  it('a named pipe with no writer is refused at once, not waited on', () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(issues(fifo)).toEqual([
      `network.file: "${fifo}" cannot be used: a named pipe (FIFO), not a regular file; ${GIVE}`,
    ]);
  });

  it.each([
    ['a device (/dev/zero, which never ends)', '/dev/zero', 'a device, not a regular file'],
    ['a directory', dir, 'a directory, not a regular file'],
  ])('%s is refused, not read', (_, file, why) => {
    expect(issues(file)).toEqual([`network.file: "${file}" cannot be used: ${why}; ${GIVE}`]);
  });

  it('a file over 32 MiB is refused naming its size; one of text that is not JSON is refused as not JSON', () => {
    expect(NETWORK_FILE_MAX_BYTES).toBe(32 * 1024 * 1024);
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, NETWORK_FILE_MAX_BYTES + 1);
    expect(issues(big)).toEqual([
      `network.file: "${big}" cannot be used: 33,554,433 bytes, over the 32 MiB limit for reading it; ${GIVE}`,
    ]);
    const text = join(dir, 'notes.md');
    writeFileSync(text, '# notes\n');
    expect(issues(text)).toEqual([
      `network.file: "${text}" cannot be used: not JSON (Unexpected token '#', "# notes\n" is not valid JSON); ${GIVE}`,
    ]);
  });
});
