/** The demo's `--backend`/`--network` are checked as `sim run`'s are, in the same words. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { parseDemoArgs } from '../../sim/live/demo-args.js';
import { prepareDemo } from '../../sim/live/demo-setup.js';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { runCli } from '../cli/run-cli.js';

const MORE = 'run with --help for the options';
const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const dir = mkdtempSync(join(tmpdir(), 'demo-network-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `sim run quickstart <args>` refuses with (its code and message), or undefined when it would run. */
async function runRefusal(args: string[]) {
  // Were it accepted, the run would be short and write to a temporary directory.
  const out = join(dir, 'out');
  const all = ['quickstart', ...args, '--set', 'durationSec=1', '--no-png', '--out', out];
  return runCommand(all, io).then(
    () => undefined,
    (err: { code: string; message: string }) => ({ code: err.code, message: err.message }),
  );
}

/** What JSON.parse says about `text` (its wording is the Node version's). */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} parses`);
}

const MISSING =
  '--backend regtest needs --network <network.json>; bring a network up with `npm run network:up`';
const UNUSED = '--network is for --backend regtest; add --backend regtest, or drop --network';

describe('npm run demo -- --backend / --network', () => {
  it.each([
    ['--backend regtest without --network', ['--backend', 'regtest'], MISSING],
    ['--network without --backend regtest', ['--network', join(dir, 'network.json')], UNUSED],
  ])('refuses %s as a usage error with sim run’s message, pointing to --help', async (_, args, message) => {
    expect(() => parseDemoArgs(args)).toThrow(
      expect.objectContaining({ code: 'usage', message: `${message}; ${MORE}` }),
    );
    expect(await runRefusal(args)).toEqual({ code: 'usage', message });
  });

  it('refuses a --network file that is not JSON with sim run’s message, before anything runs', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{nodes');
    const args = ['--backend', 'regtest', '--network', file];
    const message = `${file} is not JSON: ${jsonError('{nodes')}\nfix it, or pass the network.json that \`npm run network:up\` writes (.regtest/network.json)`;
    await expect(prepareDemo(parseDemoArgs(['quickstart', ...args]), silentLogger)).rejects.toMatchObject({
      code: 'invalid_json',
      message,
    });
    expect(await runRefusal(args)).toEqual({ code: 'invalid_json', message });
  });

  it('the demo command exits 2 on --backend regtest alone with that line, as sim run does with its own', async () => {
    const [demo, sim] = await Promise.all([
      runCli('sim/live/cli.ts', ['--backend', 'regtest', '--port', '0'], 45_000),
      runCli('sim/cli.ts', ['run', 'quickstart', '--backend', 'regtest'], 45_000),
    ]);
    expect(demo).toEqual({ code: 2, stdout: '', stderr: `${MISSING}; ${MORE}\n` });
    expect(sim).toEqual({ code: 2, stdout: '', stderr: `${MISSING}\n` });
  }, 60_000);
});
