/**
 * The network CLI as a user runs it (`npm run network:up|status|down` run
 * `tsx infra/regtest/cli.ts …`). First its usage errors and help, which need
 * no network (each fails or answers before anything starts); then end to end
 * on its own native network in a temporary folder: bring-up, status, a
 * second up refused, down, status after down. Bad input files and folders:
 * cli-input.test.ts.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNetwork } from '../../infra/regtest/network-file.js';
import { describeRegtest, regtestAvailability, regtestDriver } from './support/regtest.js';
import { downIfStarted, pathArgs, runCli, runCliSync, USAGE_HINT } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'l402-network-cli-'));
const state = join(dir, 'state');
const out = join(dir, 'network.json');
const paths = (command: string): string[] => pathArgs(command, { state, out });

/** One CLI command with the test's state folder and network.json, waited for. */
function cli(command: string, ...args: string[]): ReturnType<typeof runCliSync> {
  return runCliSync([command, ...args, ...paths(command)], 900_000);
}

afterAll(() => {
  // A failed test must not leave daemons running.
  downIfStarted(state);
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('network CLI: usage errors exit 2 before anything starts', () => {
  it.each([
    [['up', '--bogus', ...paths('up')], "Unknown option '--bogus'"],
    [['status', '--bogus'], "Unknown option '--bogus'"],
    [
      ['up', 'extra', ...paths('up')],
      "Unexpected argument 'extra'. This command does not take positional arguments",
    ],
    [['up', '--native', '--docker', ...paths('up')], 'choose one of --native and --docker'],
    [
      ['up', '--docker', '--local-images', '--polar-images', ...paths('up')],
      'choose one of --local-images and --polar-images',
    ],
    [['up', '--native', '--prepare', ...paths('up')], '--prepare works only with --docker'],
    [['up', '--local-images', ...paths('up')], '--local-images works only with --docker'],
    [['down', '--polar', 'x', '--state', dir], '--polar is an option of network:attach, not of network:down'],
    [['status', '--topology', 'x'], '--topology is an option of network:up, not of network:status'],
    [
      ['down', '--out', out],
      '--out is an option of network:up, network:attach, network:status, not of network:down',
    ],
    [['attach', '--out', out], 'network:attach needs --polar <id|name|folder>'],
    [
      ['attach', '--polar', 'x', '--role', 'a=b', '--out', out],
      '--role a=b: expected NAME=ROLE with ROLE one of hub|seller|buyer|router|reseller|other',
    ],
    [
      ['up', '--native', '--out', dir, '--state', state],
      `--out ${dir} is a folder; give the path of the network.json to write`,
    ],
  ])('%j names the problem and where the options are, exit 2', async (args, problem) => {
    expect(await runCli(...args)).toEqual({ code: 2, stdout: '', stderr: `${problem}; ${USAGE_HINT}\n` });
  });

  it.each([
    [['status', '--out', ''], '--out'],
    [['status', '--state', ''], '--state'],
    [['down', '--state', ''], '--state'],
    [['attach', '--polar', 'x', '--polar-home', '', '--out', out], '--polar-home'],
  ])('%j refuses the empty value naming %s, exit 2', async (args, option) => {
    const r = await runCli(...args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${option} must not be empty; ${USAGE_HINT}\n` });
  });

  it('an unknown command is named on stderr before the usage, exit 2', async () => {
    const r = await runCli('bogus');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      'unknown command "bogus"',
      '',
      'usage: npm run network:<up|down|attach|status|build> -- [options]',
    ]);
  });

  it('no command prints the usage on stderr with exit 2; --help prints it on stdout with exit 0', async () => {
    const [none, help] = await Promise.all([runCli(), runCli('--help')]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(help).toEqual({ code: 0, stdout: none.stderr, stderr: '' });
  });
});

describe.concurrent('network CLI: help', () => {
  it('the overview gives each command a whole one-line summary under its npm script name', async () => {
    const { stdout } = await runCli('--help');
    expect(stdout).toContain('\n  network:down     stop what network:up started and remove its data.\n');
    expect(stdout).toContain(
      '\n  network:status   show the nodes of network.json, their balances and the daemons.\n',
    );
    expect(stdout).toContain(
      '\n  network:build    build (or find) the pinned btcd, btcctl and lnd binaries.\n',
    );
  });

  it.each([
    ['status', 'npm run network:status — show the nodes of network.json, their balances and the daemons.'],
    ['build', 'npm run network:build — build (or find) the pinned btcd, btcctl and lnd binaries.'],
    ['down', 'npm run network:down — stop what network:up started and remove its data.'],
    [
      'docker-stop',
      'npx tsx infra/regtest/cli.ts docker-stop — stop the dockerd docker-prepare (or network:up --prepare) started, if any.',
    ],
  ])('%s --help starts with how a user runs it', async (command, heading) => {
    const r = await runCli(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(heading);
  });
});

const unavailable =
  regtestDriver() === 'native'
    ? await regtestAvailability()
    : 'the network CLI test runs the native driver only';

describeRegtest(unavailable, 'network CLI, native, end to end', () => {
  it('up --native starts btcd and five lnd nodes, prints them and writes network.json', () => {
    const r = cli('up', '--native');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`native regtest network up in `);
    expect(r.stdout).toContain(` s → ${out}`);
    const net = parseNetwork(JSON.parse(readFileSync(out, 'utf8')));
    expect(net.kind).toBe('native');
    expect(net.nodes.map((n) => `${n.name}:${n.role}`)).toEqual([
      'hub:hub',
      'seller-1:seller',
      'seller-2:seller',
      'buyer-1:buyer',
      'buyer-2:buyer',
    ]);
    expect(net.channels.map((c) => `${c.from}->${c.to}:${c.capacitySat}`).sort()).toEqual([
      'buyer-1->hub:2000000',
      'buyer-2->hub:2000000',
      'hub->seller-1:2000000',
      'hub->seller-2:2000000',
    ]);
    for (const n of net.nodes) expect(r.stdout).toContain(`${n.restUrl}  ${n.pubkey}`);
    expect(r.stdout).toContain('stop it with: npm run network:down');
  }, 900_000);

  it('a second up on the same state is refused and says to run network:down', () => {
    const r = cli('up', '--native');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error [network_recorded]: a native network is already recorded in ${state}; run \`npm run network:down\` first`,
    );
  }, 60_000);

  it('status shows each node’s channels and balances to the sat, and every daemon running', () => {
    const r = cli('status');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^native network from ${out} \\(created `));
    // Sellers: the 500,000 sat pushed to them plus two 1,000-sat probes. Openers (hub, buyers) pay the two
    // 330-sat anchors and a commitment fee at the pinned 500 sat/kw (infra/regtest/fee-rates.ts), and on chain
    // 5 sat/vB for funding: the same on every bring-up.
    expect(lines.slice(1, 6)).toEqual([
      '  hub        hub     4 channels, local 3997560 sat, on-chain 1098354 sat',
      '  seller-1   seller  1 channels, local 502000 sat, on-chain 1000000 sat',
      '  seller-2   seller  1 channels, local 502000 sat, on-chain 1000000 sat',
      '  buyer-1    buyer   1 channels, local 1496775 sat, on-chain 1049177 sat',
      '  buyer-2    buyer   1 channels, local 1496775 sat, on-chain 1049177 sat',
    ]);
    const daemons = lines.slice(6).map((l) => l.replace(/^ {2}pid \d+ /, ''));
    expect(daemons.sort()).toEqual(
      ['btcd', 'buyer-1', 'buyer-2', 'hub', 'seller-1', 'seller-2'].map((n) => `${n}: running`),
    );
  }, 60_000);

  it('down stops every daemon; status afterwards says how to bring a network up', () => {
    const r = cli('down');
    expect(r.code).toBe(0);
    const stopped = /^stopped (.*)$/m.exec(r.stdout)?.[1]?.split(', ');
    expect(stopped?.sort()).toEqual(['btcd', 'buyer-1', 'buyer-2', 'hub', 'seller-1', 'seller-2']);
    // A native network's down leaves a dockerd started by docker-prepare (CI's, for the compose suites) running.
    expect(r.stdout).not.toContain('dockerd');
    expect(existsSync(out)).toBe(false);
    const after = cli('status');
    expect(after.code).toBe(1);
    expect(after.stderr.trim()).toBe(
      `error [not_found]: cannot read ${out}: bring a network up with \`npm run network:up\` or attach one with \`npm run network:attach -- --polar <dir>\``,
    );
  }, 120_000);
});
