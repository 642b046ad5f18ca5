/**
 * Ctrl-C during `network:up` (and `network:down`), step by step. What cannot
 * be made to hang on demand has stand-ins: the Go build is stubbed and every
 * daemon is a real `sleep 600`, which runs, can be stopped, and never writes
 * btcd's rpc.cert, so the bring-up waits there until it is stopped. Once the
 * abort signal fires the wait under way rejects at once, no daemon starts,
 * the driver's own failure path tears down once and leaves nothing running,
 * and the CLI exits 130 saying what it stopped. A real `npm run network:up`
 * interrupted by SIGINT: up-interrupt.test.ts; the waits alone: wait-abort.test.ts.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '../../infra/time/clock.js';
import { silentLogger } from '../../infra/log.js';
import { parseCommandArgs } from '../../infra/regtest/cli-args.js';
import { COMMANDS, type CliContext } from '../../infra/regtest/cli-commands.js';
import { upNative } from '../../infra/regtest/native.js';
import { layoutLnds, spawnLnds } from '../../infra/regtest/native-daemons.js';
import { isOurs, spawnDaemon, type ProcessRecord } from '../../infra/regtest/processes.js';
import type * as ProcessesModule from '../../infra/regtest/processes.js';
import { readState, writeState } from '../../infra/regtest/state.js';
import type * as StateModule from '../../infra/regtest/state.js';
import { defaultTopology } from '../../infra/regtest/topology.js';

/** What the stand-ins did and do; each test sets the hooks it needs. */
const stub = vi.hoisted(() => ({
  spawned: [] as Array<{ name: string; pid: number; cmd: string; args: string[]; logFile: string }>,
  teardowns: 0,
  onBuild: undefined as (() => void) | undefined,
  onSpawn: undefined as (() => void) | undefined,
  onTeardown: undefined as (() => void) | undefined,
}));

vi.mock('../../infra/regtest/binaries.js', async (original) => ({
  ...(await original<object>()),
  ensureBinaries: async () => {
    stub.onBuild?.();
    return { btcd: '/nonexistent/btcd', lnd: '/nonexistent/lnd' };
  },
}));
vi.mock('../../infra/regtest/processes.js', async (original) => {
  const real = await original<typeof ProcessesModule>();
  return {
    ...real,
    spawnDaemon: (name: string, _cmd: string, _args: string[], logFile: string) => {
      const rec = real.spawnDaemon(name, 'sleep', ['600'], logFile);
      stub.spawned.push(rec);
      stub.onSpawn?.();
      return rec;
    },
  };
});
vi.mock('../../infra/regtest/state.js', async (original) => {
  const real = await original<typeof StateModule>();
  return {
    ...real,
    teardown: (...args: Parameters<typeof real.teardown>) => {
      stub.teardowns++;
      stub.onTeardown?.();
      return real.teardown(...args);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'l402-abort-up-'));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(root, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  Object.assign(stub, {
    spawned: [],
    teardowns: 0,
    onBuild: undefined,
    onSpawn: undefined,
    onTeardown: undefined,
  });
});
afterEach(async () => {
  // A failing test must not leave a stand-in running, nor the temp data folder a bring-up made.
  for (const rec of stub.spawned) if (isOurs(rec)) process.kill(rec.pid, 'SIGKILL');
  const dataDir = (await readState(join(dir, 'state')).catch(() => undefined))?.dataDir;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Resolves once `stateDir` records `names` (polling every 10 ms). */
async function recorded(stateDir: string, names: string[]): Promise<void> {
  for (;;) {
    const state = await readState(stateDir).catch(() => undefined);
    if (state && state.processes.map((p) => p.name).join() === names.join()) return;
    await systemClock.sleep(10);
  }
}

const running = (): ProcessRecord[] => stub.spawned.filter((r) => isOurs(r));

describe('an aborted native bring-up (upNative)', () => {
  const up = (signal: AbortSignal) =>
    upNative({
      ...{ topology: defaultTopology, stateDir: join(dir, 'state'), outPath: join(dir, 'network.json') },
      ...{ clock: systemClock, logger: silentLogger, signal },
    });

  it('aborted while it waits for btcd: the wait rejects at once, one teardown stops btcd, nothing is left', async () => {
    const controller = new AbortController();
    const bringUp = up(controller.signal);
    await recorded(join(dir, 'state'), ['btcd']);
    const dataDir = (await readState(join(dir, 'state')))!.dataDir!;
    const aborted = Date.now();
    controller.abort();
    const err = await bringUp.catch((e: Error & { code?: string }) => e);
    expect(Date.now() - aborted).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: 'interrupted', message: 'interrupted; tore down 1 process (btcd)' });
    expect((err as Error).cause).toMatchObject({
      code: 'aborted',
      message: 'bring-up interrupted (waiting for btcd rpc.cert)',
    });
    expect([stub.spawned.map((r) => r.name), stub.teardowns, running()]).toEqual([['btcd'], 1, []]);
    expect([await readState(join(dir, 'state')), existsSync(dataDir)]).toEqual([undefined, false]);
  }, 10_000);

  it('aborted during the build: nothing starts and nothing is recorded', async () => {
    const controller = new AbortController();
    stub.onBuild = () => controller.abort();
    await expect(up(controller.signal)).rejects.toThrow(
      expect.objectContaining({ code: 'aborted', message: 'bring-up interrupted (before anything started)' }),
    );
    expect([stub.spawned, stub.teardowns, await readState(join(dir, 'state'))]).toEqual([[], 0, undefined]);
  }, 10_000);
});

describe('starting the lnds (spawnLnds) when the signal fires part way', () => {
  it('no lnd starts after it, and the one that started first is recorded before it rejects', async () => {
    const controller = new AbortController();
    const stateDir = join(dir, 'state');
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const ports = Array.from({ length: 15 }, (_, i) => 20_000 + i);
    const nodes = layoutLnds(defaultTopology, join(dir, 'data'), ports);
    stub.onSpawn = () => controller.abort();
    const place = { stateDir, logs, clock: systemClock, signal: controller.signal };
    const lnd = {
      bin: '/nonexistent/lnd',
      btcdRpc: 1,
      rpcCert: '/nonexistent/rpc.cert',
      fees: defaultTopology.fees,
    };
    const err = await spawnLnds(place, nodes, lnd).catch((e: Error) => e);
    expect(stub.spawned).toHaveLength(1);
    const notStarted = nodes.find((node) => node.name !== stub.spawned[0]!.name)!.name;
    expect(err).toMatchObject({ code: 'aborted', message: `bring-up interrupted (starting ${notStarted})` });
    expect((await readState(stateDir))?.processes).toEqual(stub.spawned);
  });
});

/** A stand-in for the process's SIGINT: `press()` emits one, `exits` keeps what `exit` was called with. */
function interrupts(): EventEmitter & { press(): void; exits: number[]; exit(code: number): void } {
  const source = Object.assign(new EventEmitter(), {
    exits: [] as number[],
    exit: (code: number) => void source.exits.push(code),
    press: () => void source.emit('SIGINT'),
  });
  return source;
}

/** The CLI's context with a stand-in SIGINT, a clock whose `now` the test moves, and a logger that keeps warnings. */
function cliContext() {
  const source = interrupts();
  const time = { now: 0 };
  const clock: Clock = { now: () => time.now, sleep: systemClock.sleep, setTimer: systemClock.setTimer };
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line).msg) },
  );
  const ctx: CliContext = { clock, logger, interrupts: source };
  return { ctx, source, time, warnings };
}

describe('Ctrl-C during network:up (the CLI command)', () => {
  const upArgs = () =>
    parseCommandArgs('up', ['--native', '--state', join(dir, 'state'), '--out', join(dir, 'n.json')]);

  it('while it waits for btcd: exit 130, stderr says what it tore down, one teardown, nothing left', async () => {
    const { ctx, source } = cliContext();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const run = COMMANDS.up(upArgs().values, ctx);
      await recorded(join(dir, 'state'), ['btcd']);
      source.press();
      expect(await run).toBe(130);
      expect(errors.mock.calls).toEqual([['interrupted; tore down 1 process (btcd)']]);
    } finally {
      errors.mockRestore();
    }
    expect([stub.teardowns, running(), source.exits, source.listenerCount('SIGINT')]).toEqual([1, [], [], 0]);
  }, 10_000);

  it('a second Ctrl-C during the teardown only says so; a third exits 130 at once', async () => {
    const { ctx, source, time, warnings } = cliContext();
    stub.onTeardown = () => {
      time.now += 1_000;
      source.press();
      // npm run passes the terminal's SIGINT on again: the same press.
      time.now += 100;
      source.press();
      time.now += 1_000;
      source.press();
    };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const run = COMMANDS.up(upArgs().values, ctx);
      await recorded(join(dir, 'state'), ['btcd']);
      source.press();
      expect(await run).toBe(130);
    } finally {
      errors.mockRestore();
    }
    expect(warnings).toEqual([
      'interrupted: stopping the bring-up, then tearing down what it started',
      'interrupted; stopping what was started',
      'teardown in progress; press Ctrl-C again to exit at once',
      'exiting before the teardown finished: run `npm run network:down` to stop what is left',
    ]);
    expect([stub.teardowns, source.exits, running()]).toEqual([1, [130], []]);
  }, 10_000);
});

describe('Ctrl-C during network:down', () => {
  it('the first lets the teardown finish and says so; the second exits 130 at once', async () => {
    const { ctx, source, time, warnings } = cliContext();
    const stateDir = join(dir, 'state');
    const hub = spawnDaemon('hub', '/nonexistent/lnd', [], join(dir, 'hub.log'));
    await writeState(stateDir, { version: 1, kind: 'native', processes: [hub] });
    stub.onTeardown = () => {
      source.press();
      time.now += 1_000;
      source.press();
    };
    const logs = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await COMMANDS.down(parseCommandArgs('down', ['--state', stateDir]).values, ctx)).toBe(0);
      expect(logs.mock.calls).toEqual([['stopped hub']]);
    } finally {
      logs.mockRestore();
    }
    expect(warnings).toEqual([
      'teardown in progress; press Ctrl-C again to exit at once',
      'exiting before the teardown finished: run `npm run network:down` to stop what is left',
    ]);
    expect([source.exits, running(), await readState(stateDir), source.listenerCount('SIGINT')]).toEqual([
      [130],
      [],
      undefined,
      0,
    ]);
  });
});
