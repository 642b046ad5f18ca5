/** Pause and resume that would change nothing are answered `unchanged`, as docs/demo.md says of every such control. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { runScenario } from '../../sim/run.js';
import { Replay } from '../../sim/live/replay.js';
import type { LiveMarket } from '../../sim/live/live-market.js';
import type { LiveServer } from '../../sim/live/server.js';
import { startDemo, until } from './harness.js';

describe('pause and resume on a live market', () => {
  let market: LiveMarket;
  let server: LiveServer;

  beforeAll(async () => {
    ({ market, server } = await startDemo({ durationSec: 3600 }, { speed: 1 }));
    await until('the market to be built', () => market.snapshot().graph.nodes.length > 0);
  }, 600_000);
  afterAll(async () => {
    await server?.close();
  });

  test('resuming a running market is refused as unchanged', async () => {
    expect(await market.apply({ type: 'resume' })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'the market is already running',
    });
  });

  test('pausing twice: the first is applied, the second refused as unchanged; then one resume applies', async () => {
    expect(await market.apply({ type: 'pause' })).toEqual({ ok: true, applied: 'pause' });
    expect(await market.apply({ type: 'pause' })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'the market is already paused',
    });
    expect(await market.apply({ type: 'resume' })).toEqual({ ok: true, applied: 'resume' });
    expect(market.clock?.paused).toBe(false);
  });
});

describe('pause and resume on a replay', () => {
  let dir: string;
  let replay: Replay;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-pause-'));
    await runScenario(loadScenario('quickstart', { overrides: { durationSec: 5 } }), {
      outDir: dir,
      png: false,
    });
    replay = Replay.load(dir, { speed: 1 });
  }, 600_000);
  afterAll(() => {
    replay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('resuming a playing replay and pausing a paused one are refused as unchanged', async () => {
    expect(await replay.apply({ type: 'resume' })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'the replay is already running',
    });
    expect(await replay.apply({ type: 'pause' })).toEqual({ ok: true, applied: 'pause' });
    expect(await replay.apply({ type: 'pause' })).toEqual({
      ok: false,
      code: 'unchanged',
      message: 'the replay is already paused',
    });
  });
});
