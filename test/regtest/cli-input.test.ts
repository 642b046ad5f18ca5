/**
 * The network CLI on bad input files and folders, and `status` on a network
 * whose nodes do not answer: each fails before anything starts (no network
 * needed). Usage errors and help: cli.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATE, outFileFrom, parseCommandArgs, stateDirFrom } from '../../infra/regtest/cli-args.js';
import { downIfStarted, pathArgs, runCli, USAGE_HINT } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'l402-network-cli-input-'));
const state = join(dir, 'state');
const upArgs = ['up', '--native', ...pathArgs('up', { state, out: join(dir, 'network.json') })];

afterAll(() => {
  downIfStarted(state);
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('network CLI: bad files and folders exit 1 naming them', () => {
  it('up --topology with a file that is not JSON names the file, not its contents', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{bad\n');
    expect(await runCli(...upArgs, '--topology', bad)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error [invalid_topology]: ${bad} is not valid JSON: Expected property name or '}' in JSON at position 1\n`,
    });
  });

  it('up --topology with a file that does not exist says there is no such file', async () => {
    const missing = join(dir, 'x.json');
    expect(await runCli(...upArgs, '--topology', missing)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error [not_found]: no topology file ${missing}\n`,
    });
  });

  it('up --topology with an unknown name lists the built-in ones', async () => {
    expect(await runCli(...upArgs, '--topology', 'mesh')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error [invalid_topology]: unknown topology "mesh"; built in: default, or give a .json file\n',
    });
  });

  it.each(['down', 'status'])('%s --state naming a folder that does not exist says so', async (command) => {
    const nope = join(dir, 'nope');
    expect(await runCli(command, '--state', nope)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error [not_found]: no state folder ${nope}: give the --state that network:up was given (default .regtest/state)\n`,
    });
  });

  it('down on a state.json that is not a network state names the file and what to do, exit 1', async () => {
    const bad = join(dir, 'bad-state');
    mkdirSync(bad);
    writeFileSync(join(bad, 'state.json'), '{}');
    expect(await runCli('down', '--state', bad)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `error [invalid_state]: ${join(bad, 'state.json')} is not a network state ` +
        '(version: required: add version; expected 1; kind: required: add kind; expected native | docker): stop any daemons it names by hand or delete it\n',
    });
  });

  it('up where a network is recorded is refused naming its kind, and leaves it alone', async () => {
    const recorded = join(dir, 'recorded');
    mkdirSync(recorded);
    const compose = { files: [join(dir, 'docker-compose.yml')], project: 'x', projectDir: dir, dataDirs: [] };
    const text = JSON.stringify({ version: 1, kind: 'docker', processes: [], compose });
    writeFileSync(join(recorded, 'state.json'), text);
    const out = join(dir, 'recorded.json');
    expect(await runCli('up', '--docker', '--state', recorded, '--out', out)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error [network_recorded]: a docker network is already recorded in ${recorded}; run \`npm run network:down\` first\n`,
    });
    expect(readFileSync(join(recorded, 'state.json'), 'utf8')).toBe(text);
  });

  it('down clears a native network whose daemons are all gone: its state and its data', async () => {
    const dead = join(dir, 'dead-state');
    mkdirSync(join(dead, 'data'), { recursive: true });
    const hub = { name: 'hub', pid: 2 ** 22 + 1, cmd: '/bin/lnd', args: [], logFile: join(dead, 'hub.log') };
    const state = { version: 1, kind: 'native', dataDir: join(dead, 'data'), processes: [hub] };
    writeFileSync(join(dead, 'state.json'), JSON.stringify(state));
    expect(await runCli('down', '--state', dead)).toEqual({
      code: 0,
      stdout: 'stopped nothing (already gone)\n',
      stderr: '',
    });
    expect(existsSync(join(dead, 'state.json'))).toBe(false);
    expect(existsSync(join(dead, 'data'))).toBe(false);
  });

  it('down on an existing --state folder with no network in it has nothing to stop, exit 0', async () => {
    const empty = join(dir, 'empty-state');
    mkdirSync(empty);
    expect(await runCli('down', '--state', empty)).toEqual({
      code: 0,
      stdout: `nothing to stop (no state in ${empty})\n`,
      stderr: '',
    });
  });
});

/** A REST URL on a local port nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `https://127.0.0.1:${port}`;
}

/** A native network.json of two nodes that do not answer; returns its folder and path. */
async function deadNetwork(): Promise<{ folder: string; file: string }> {
  const folder = join(dir, 'dead-net');
  mkdirSync(folder);
  writeFileSync(join(folder, 'tls.cert'), '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
  writeFileSync(join(folder, 'admin.macaroon'), Buffer.from([1, 2]));
  const node = async (name: string, role: string, key: string) => ({
    ...{ name, role, restUrl: await deadUrl(), p2p: '127.0.0.1:9735', pubkey: `02${key.repeat(64)}` },
    ...{ tlsCertPath: 'tls.cert', macaroonPath: 'admin.macaroon' },
  });
  const nodes = [await node('hub', 'hub', 'a'), await node('buyer-1', 'buyer', 'b')];
  const file = join(folder, 'network.json');
  const createdAt = '2026-01-01T00:00:00.000Z';
  writeFileSync(file, JSON.stringify({ version: 1, kind: 'native', network: 'regtest', createdAt, nodes }));
  return { folder, file };
}

it('status lists nodes that do not answer as DOWN, says how many on stderr and exits 1', async () => {
  const { folder, file } = await deadNetwork();
  const r = await runCli('status', '--out', file, '--state', folder);
  expect(r.code).toBe(1);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe(`native network from ${file} (created 2026-01-01T00:00:00.000Z)`);
  // Each says why: the REST call that found no lnd listening.
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^ {2}hub {8}hub {5}DOWN \(.*ECONNREFUSED.*\)$/),
    expect.stringMatching(/^ {2}buyer-1 {4}buyer {3}DOWN \(.*ECONNREFUSED.*\)$/),
  ]);
  expect(r.stderr).toBe(
    `error: 2 of 2 nodes down; see their logs in ${join(folder, 'logs')}, ` +
      'or start afresh with `npm run network:down` then `npm run network:up`\n',
  );
});

describe('network CLI: argument checks, without running a command', () => {
  it('up refuses an empty --out (network.json would be written over the current folder)', () => {
    expect(() => parseCommandArgs('up', ['--native', '--out', ''])).toThrow(
      expect.objectContaining({ code: 'usage', message: `--out must not be empty; ${USAGE_HINT}` }),
    );
  });

  it('up takes its own options, with the defaults filled in', () => {
    const { help, values } = parseCommandArgs('up', ['--native', '--topology', 'x.json']);
    expect(help).toBe(false);
    expect(values).toMatchObject({ native: true, topology: 'x.json', state: DEFAULT_STATE });
  });

  it('--help wins over a refused combination of options, not over an unknown option', () => {
    expect(parseCommandArgs('up', ['--native', '--docker', '--help']).help).toBe(true);
    expect(() => parseCommandArgs('up', ['--bogus', '--help'])).toThrow(
      expect.objectContaining({ code: 'usage', message: `Unknown option '--bogus'; ${USAGE_HINT}` }),
    );
  });

  it.each([
    [['--local-images'], '--local-images'],
    [['--polar-images'], '--polar-images'],
    [['--prepare'], '--prepare'],
    [['--native', '--prepare'], '--prepare'],
    [['--native', '--local-images'], '--local-images'],
  ])('up %j without --docker is a usage error naming the flag', (args, flag) => {
    expect(() => parseCommandArgs('up', args)).toThrow(
      expect.objectContaining({ code: 'usage', message: `${flag} works only with --docker; ${USAGE_HINT}` }),
    );
  });

  it('up takes the Docker-only options with --docker; docker-prepare takes --local-images alone', () => {
    const { values } = parseCommandArgs('up', ['--docker', '--local-images', '--prepare']);
    expect(values).toMatchObject({ docker: true, 'local-images': true, prepare: true });
    expect(parseCommandArgs('docker-prepare', ['--local-images']).values['local-images']).toBe(true);
  });

  it('the default state folder may be absent; any other --state must exist', () => {
    expect(stateDirFrom(DEFAULT_STATE)).toBe(DEFAULT_STATE);
    expect(() => stateDirFrom(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('--out may name a new file but not a folder', () => {
    expect(outFileFrom(join(dir, 'new.json'))).toBe(join(dir, 'new.json'));
    expect(() => outFileFrom(dir)).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});
