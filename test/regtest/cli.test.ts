/**
 * The network CLI as a user runs it (`npm run network:up|status|down` run
 * `tsx infra/regtest/cli.ts …`), end to end on its own native network in a
 * temporary folder: bring-up, status, a second up refused, down, status
 * after down.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseNetwork } from '../../infra/regtest/network-file.js';
import { describeRegtest, regtestAvailability, regtestDriver } from './support/regtest.js';

const dir = mkdtempSync(join(tmpdir(), 'l402-network-cli-'));
const state = join(dir, 'state');
const out = join(dir, 'network.json');

/** One CLI command with the test's state folder and network.json. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'infra/regtest/cli.ts', ...args, '--state', state, '--out', out],
    { encoding: 'utf8', timeout: 900_000, env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const unavailable =
  regtestDriver() === 'native'
    ? await regtestAvailability()
    : 'the network CLI test runs the native driver only';

describeRegtest(unavailable, 'network CLI, native, end to end', () => {
  afterAll(() => {
    // A failed test must not leave daemons running.
    if (existsSync(join(state, 'state.json'))) cli('down');
    rmSync(dir, { recursive: true, force: true });
  });

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
      `error: a network is already running from ${state}; run \`npm run network:down\` first`,
    );
  }, 60_000);

  it('status shows each node’s channels and balances to the sat, and every daemon running', () => {
    const r = cli('status');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^native network from ${out} \\(created `));
    // Sellers: the 500,000 sat pushed to them plus two 1,000-sat probes. Openers (hub, buyers) pay LND's
    // commitment and anchor fees, which are fixed on regtest (static fee estimate): the same on every bring-up.
    expect(lines.slice(1, 6)).toEqual([
      '  hub        hub     4 channels, local 3997214 sat, on-chain 1099342 sat',
      '  seller-1   seller  1 channels, local 502000 sat, on-chain 1000000 sat',
      '  seller-2   seller  1 channels, local 502000 sat, on-chain 1000000 sat',
      '  buyer-1    buyer   1 channels, local 1496602 sat, on-chain 1049671 sat',
      '  buyer-2    buyer   1 channels, local 1496602 sat, on-chain 1049671 sat',
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
