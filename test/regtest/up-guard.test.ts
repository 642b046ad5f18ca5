/**
 * The drivers' bring-up guard and failure path, with nothing started: the Go
 * build, Docker and btcd are stubbed. A network recorded in the state folder
 * (native or docker, running or not) refuses `upNative` and `upDocker` alike,
 * and a bring-up whose teardown fails too reports its own error, logging the
 * teardown's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { silentLogger } from '../../infra/log.js';
import { upDocker } from '../../infra/regtest/docker.js';
import { upNative } from '../../infra/regtest/native.js';
import { readState, writeState, type NetworkState } from '../../infra/regtest/state.js';
import type * as StateModule from '../../infra/regtest/state.js';
import { defaultTopology } from '../../infra/regtest/topology.js';

/** What the stubs do; each test sets what it needs. */
const stub = vi.hoisted(() => ({
  dir: '',
  binaries: false,
  compose: false,
  teardownFails: false,
  containers: '',
}));

vi.mock('../../infra/regtest/binaries.js', async (original) => ({
  ...(await original<object>()),
  ensureBinaries: () =>
    stub.binaries
      ? Promise.resolve({ btcd: '/nonexistent/btcd', lnd: '/nonexistent/lnd' })
      : Promise.reject(new Error('test stub: the bring-up went on past the guard')),
}));
vi.mock('../../infra/regtest/native-daemons.js', async (original) => ({
  ...(await original<object>()),
  startBtcd: () => Promise.reject(new Error('btcd did not start (test stub)')),
}));
vi.mock('../../infra/regtest/engine.js', async (original) => ({
  ...(await original<object>()),
  composeAvailable: () => Promise.resolve(stub.compose),
}));
vi.mock('../../infra/regtest/compose-cli.js', async (original) => ({
  ...(await original<object>()),
  composeLayout: () =>
    Promise.resolve({
      chain: { name: 'bitcoind', backend: 'bitcoind', rpcPort: 1, dataDir: join(stub.dir, 'bitcoind') },
      lnd: defaultTopology.nodes.map((n) => ({
        ...{ name: n.name, image: 'x', restPort: 1, p2pPort: 2, lnddir: join(stub.dir, n.name) },
      })),
    }),
  composeUp: () => Promise.reject(new Error('compose up failed: bitcoind exited (test stub)')),
  compose: (_p: unknown, args: string[]) =>
    args[0] === 'ps'
      ? Promise.resolve(stub.containers)
      : Promise.reject(new Error('docker compose down failed: no daemon (test stub)')),
}));
vi.mock('../../infra/regtest/state.js', async (original) => {
  const real = await original<typeof StateModule>();
  return {
    ...real,
    teardown: (...args: Parameters<typeof real.teardown>) =>
      stub.teardownFails ? Promise.reject(new Error('teardown failed (test stub)')) : real.teardown(...args),
  };
});

const root = mkdtempSync(join(tmpdir(), 'l402-up-guard-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  stub.dir = join(root, `case-${++n}`);
  Object.assign(stub, { binaries: false, compose: false, teardownFails: false, containers: '' });
});

const deps = { clock: systemClock, logger: silentLogger };
const native = (stateDir: string) =>
  upNative({ topology: defaultTopology, stateDir, outPath: join(stub.dir, 'network.json'), ...deps });
const docker = (stateDir: string, logger = silentLogger) =>
  upDocker({
    ...{ composeFiles: [join(stub.dir, 'docker-compose.yml')], projectDir: stub.dir, project: 'guard' },
    ...{ stateDir, outPath: join(stub.dir, 'network.json'), clock: systemClock, logger },
  });

/** A logger that keeps every entry it is given. */
function recordingLogger(): { logger: typeof silentLogger; entries: Array<Record<string, unknown>> } {
  const entries: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => entries.push(JSON.parse(line)) });
  return { logger, entries };
}

const dockerState = (dir: string): NetworkState => ({
  ...{ version: 1, kind: 'docker', networkPath: join(dir, 'network.json'), processes: [] },
  compose: { files: [join(dir, 'docker-compose.yml')], project: 'other', projectDir: dir, dataDirs: [] },
});
const nativeState = (dir: string): NetworkState => ({
  ...{ version: 1, kind: 'native', dataDir: join(dir, 'data') },
  // A daemon that is gone (a crash): the record still is the only trace of its data.
  processes: [{ name: 'hub', pid: 2 ** 22 + 1, cmd: '/bin/lnd', args: [], logFile: join(dir, 'hub.log') }],
});

describe('a network recorded in the state folder refuses a bring-up, whatever the driver', () => {
  it.each([
    ['a docker network', 'upNative', dockerState, native],
    ['a native network whose daemons are gone', 'upDocker', nativeState, docker],
    ['a native network', 'upNative', nativeState, native],
    ['a docker network', 'upDocker', dockerState, docker],
  ] as const)(
    '%s refuses %s, naming the kind and the folder, and keeps the record',
    async (_, _d, state, up) => {
      const stateDir = join(stub.dir, 'state');
      stub.compose = true;
      await writeState(stateDir, state(stub.dir));
      const before = readFileSync(join(stateDir, 'state.json'), 'utf8');
      await expect(up(stateDir)).rejects.toThrow(
        expect.objectContaining({
          code: 'network_recorded',
          message: `a ${state(stub.dir).kind} network is already recorded in ${stateDir}; run \`npm run network:down\` first`,
        }),
      );
      expect(readFileSync(join(stateDir, 'state.json'), 'utf8')).toBe(before);
    },
  );
});

describe('a compose project another network uses refuses upDocker, before anything is written', () => {
  it('one with containers (another --state folder, or started by hand)', async () => {
    Object.assign(stub, { compose: true, containers: '3f2a9c\n8b1d07\n' });
    const stateDir = join(stub.dir, 'state');
    await expect(docker(stateDir)).rejects.toThrow(
      expect.objectContaining({
        code: 'network_running',
        message:
          'compose project guard already has 2 container(s): a network brought up from another --state folder, or by hand; ' +
          'run `npm run network:down -- --state <its folder>`, or `docker compose -p guard down`',
      }),
    );
    expect(await readState(stateDir)).toBeUndefined();
  });

  it('data folders an earlier network left (its wallets and channels)', async () => {
    stub.compose = true;
    const hub = join(stub.dir, 'hub');
    mkdirSync(hub, { recursive: true });
    writeFileSync(join(hub, 'wallet.db'), '');
    const stateDir = join(stub.dir, 'state');
    await expect(docker(stateDir)).rejects.toThrow(
      expect.objectContaining({
        code: 'network_data_left',
        message: `${hub} holds an earlier network's data (wallets, channels); delete it (rm -rf ${hub}) or run \`npm run network:down\` from the state folder that made it`,
      }),
    );
    expect(await readState(stateDir)).toBeUndefined();
  });
});

describe('a topology the compose files cannot run', () => {
  it('other forwarding fees than the compose files pass every lnd refuse upDocker, pointing at --native', async () => {
    stub.compose = true;
    const stateDir = join(stub.dir, 'state');
    const topology = { ...defaultTopology, fees: { baseMsat: 0, ratePpm: 500 } };
    const up = upDocker({
      ...{
        composeFiles: [join(stub.dir, 'docker-compose.yml')],
        projectDir: stub.dir,
        project: 'guard',
        topology,
      },
      ...{ stateDir, outPath: join(stub.dir, 'network.json'), clock: systemClock, logger: silentLogger },
    });
    await expect(up).rejects.toThrow(
      expect.objectContaining({
        code: 'topology_fees',
        message:
          "the compose files run every lnd at 1000 msat + 1 ppm; this topology's fees (0 msat + 500 ppm) run only natively: use --native, or the default fees",
      }),
    );
    expect(await readState(stateDir)).toBeUndefined();
  });
});

describe('a failed bring-up whose teardown fails too', () => {
  it('upDocker reports compose up’s error and logs compose down’s', async () => {
    stub.compose = true;
    const { logger, entries } = recordingLogger();
    await expect(docker(join(stub.dir, 'state'), logger)).rejects.toThrow(
      /^compose up failed: bitcoind exited/,
    );
    expect(entries.map((e) => e.err)).toContainEqual(
      'Error: docker compose down failed: no daemon (test stub)',
    );
  });

  it('upNative reports the bring-up’s error and logs the teardown’s', async () => {
    Object.assign(stub, { binaries: true, teardownFails: true });
    const stateDir = join(stub.dir, 'state');
    const { logger, entries } = recordingLogger();
    const up = upNative({
      topology: defaultTopology,
      stateDir,
      outPath: join(stub.dir, 'n.json'),
      ...deps,
      logger,
    });
    try {
      await expect(up).rejects.toThrow('btcd did not start (test stub)');
      expect(entries.map((e) => e.err)).toContainEqual('Error: teardown failed (test stub)');
    } finally {
      // The failed teardown left the temp data folder: remove it here.
      const dataDir = (await readState(stateDir).catch(() => undefined))?.dataDir;
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
