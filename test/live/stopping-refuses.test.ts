/**
 * From the first Ctrl-C on, a live run is being stopped: the page says
 * `stopped` and every control is refused with `finished`, those waiting on
 * the market included, during the wait for the press's copy (stop-run.ts)
 * as after it.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { LiveServer } from '../../sim/live/server.js';
import { stopRun } from '../../sim/live/stop-run.js';
import { startDemo, until } from './harness.js';
import { Viewer } from './control-viewer.js';

const BEING_STOPPED = { type: 'error', code: 'finished', message: 'the run is being stopped' };

describe('a live run being stopped', () => {
  const servers: LiveServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  test('from the first press, before the market is stopped, controls over the socket are refused and the status is stopped', async () => {
    const { market, server, outDir } = await startDemo({ durationSec: 3600 }, { speed: 25 });
    servers.push(server);
    await until('a first purchase', () => market.snapshot().totals.purchases > 0);
    const viewer = await Viewer.open(server);
    const stopping = stopRun(market, outDir);
    expect(market.snapshot().status).toBe('stopped');
    viewer.send({ type: 'resume' });
    viewer.send({ type: 'speed', speed: 50 });
    viewer.send({ type: 'node_offline', node: 'router-0', offline: true });
    await until('three replies', () => viewer.replies.length === 3, 5_000);
    expect(viewer.replies).toEqual([BEING_STOPPED, BEING_STOPPED, BEING_STOPPED]);
    const outcome = await stopping;
    expect([outcome.ok, market.snapshot().status]).toEqual([true, 'stopped']);
    viewer.close();
  }, 120_000);

  test('a control waiting for the paused market’s next step when the market is stopped is answered, not lost', async () => {
    const { market, server } = await startDemo({ durationSec: 3600 }, { speed: 25 });
    servers.push(server);
    await until('a first purchase', () => market.snapshot().totals.purchases > 0);
    expect(await market.apply({ type: 'pause' })).toEqual({ ok: true, applied: 'pause' });
    await until('the market to stand still', () => market.snapshot().status === 'paused', 5_000);
    const answer = market.apply({ type: 'node_offline', node: 'router-0', offline: true });
    const stopped = market.stop();
    const noAnswer = new Promise((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5_000));
    expect(await Promise.race([answer, noAnswer])).toEqual({
      ok: false,
      code: 'finished',
      message: 'the run is being stopped',
    });
    expect((await stopped).engine.stopped).toBe(true);
  }, 120_000);
});
