/**
 * `npm run sim -- help <command>` shows that command's help, as `<command> --help` does; an
 * unknown command is named as text (an escape sequence in it shows as its escape), with the help.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('sim help and unknown commands', () => {
  it('help validate prints what validate --help prints, exit 0', async () => {
    const viaHelp = await runCli('sim/cli.ts', ['help', 'validate']);
    const viaFlag = await runCli('sim/cli.ts', ['validate', '--help']);
    expect([viaHelp.code, viaFlag.code]).toEqual([0, 0]);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^usage: sim validate /);
  }, 60_000);

  it('an unknown command holding an escape sequence is printed with its escapes as text, exit 2', async () => {
    const r = await runCli('sim/cli.ts', ['x\u001b[2Jy']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('unknown command "x\\u001b[2Jy"');
  }, 60_000);
});
