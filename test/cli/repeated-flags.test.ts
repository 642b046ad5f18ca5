/**
 * Every command line refuses a single-valued flag given twice (parseArgs would
 * keep the last one silently): a usage error naming the flag and both values,
 * exit 2, before anything starts. Both values are ports the system picks (0, 00), so a CLI that failed
 * to refuse would listen on a free port, never on a fixed one another test expects to be closed.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('a single-valued flag given twice', () => {
  it.each([
    ['registry', 'services/registry/cli.ts', ['--port', '0', '--port', '00']],
    ['seller', 'services/sellers/cli.ts', ['--port', '0', '--port', '00']],
    ['l402', 'agents/cli.ts', ['fetch', 'http://127.0.0.1:1/', '--method', 'GET', '--method', 'POST']],
    ['demo', 'sim/live/cli.ts', ['--port', '0', '--port', '00']],
    ['network:status', 'infra/regtest/cli.ts', ['status', '--state', '/tmp/a', '--state', '/tmp/b']],
  ])('%s refuses it with exit 2, naming the flag and both values', async (_, script, args) => {
    const r = await runCli(script, args);
    const flag = args.filter((a) => a.startsWith('--'))[0]!;
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(
      `${flag} is given twice (${args[args.indexOf(flag) + 1]}, ${args.at(-1)}); give it once`,
    );
  });
});
