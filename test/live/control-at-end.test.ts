/**
 * A control sent in the last moments of a run, after the market's last step
 * but before the run's files are written, is answered (`finished`): it never
 * waits on a market that no longer moves (red team: such a viewer got only
 * `busy` from then on, its pending slots held for good).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { PacedClock, type WallTime } from '../../sim/live/paced-clock.js';
import type { LiveServer } from '../../sim/live/server.js';
import { startDemo, until } from './harness.js';
import { Viewer, wait } from './control-viewer.js';

const UNCHANGED = { type: 'error', code: 'unchanged', message: 'router-0 is already online' };
const ENDED_FIRST = {
  type: 'error',
  code: 'finished',
  message: 'the run ended before this control took effect; start a new one or replay it',
};
const ENDED = { type: 'error', code: 'finished', message: 'the run has ended; start a new one or replay it' };
const CONTROL = { type: 'node_offline', node: 'router-0', offline: false };

describe('controls sent as a live run ends', () => {
  let server: LiveServer | undefined;
  const viewers: Viewer[] = [];
  afterAll(async () => {
    for (const v of viewers) v.close();
    await server?.close();
  });

  test('every control gets one reply: applied before the end, `ended before it took effect` while the files are written, `has ended` after', async () => {
    const demo = await startDemo({ durationSec: 20 }, { speed: 50 });
    server = demo.server;
    const { market } = demo;
    let finished = false;
    void market.done.then(() => (finished = true));
    await until('the market to be built', () => market.snapshot().graph.nodes.length > 0);
    for (let i = 0; i < 4; i++) viewers.push(await Viewer.open(server));
    const sent = viewers.map(() => 0);
    // Each viewer sends one every 100 ms (its rate limit's refill), in turn: one every 25 ms in all,
    // until 300 ms after the run's files are written.
    let finishedAt: number | undefined;
    for (let i = 0; finishedAt === undefined || Date.now() - finishedAt < 300; i++) {
      if (finished) finishedAt ??= Date.now();
      viewers[i % 4]!.send(CONTROL);
      sent[i % 4]!++;
      await wait(25);
    }
    await until(
      'a reply to every control',
      () => viewers.every((v, i) => v.replies.length === sent[i]),
      5_000,
    );
    const kinds = new Set(viewers.flatMap((v) => v.replies.map((r) => JSON.stringify(r))));
    expect([...kinds].sort()).toEqual([ENDED_FIRST, ENDED, UNCHANGED].map((r) => JSON.stringify(r)).sort());
    // No pending slot is held: a full window of controls more is answered, none with `busy`.
    const v = viewers[0]!;
    const before = v.replies.length;
    for (let i = 0; i < 8; i++) v.send(CONTROL);
    await until('eight more replies', () => v.replies.length === before + 8, 5_000);
    expect(v.replies.slice(before)).toEqual(Array(8).fill(ENDED));
  }, 120_000);
});

/** A wall clock that moves only when slept on (one macrotask per sleep). */
function fakeWall(): WallTime & { t: number } {
  const wall = {
    t: 0,
    now: () => wall.t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          wall.t += ms;
          resolve();
        }),
      ),
  };
  return wall;
}

describe('PacedClock.between when pacing stops', () => {
  test('an action queued while paused runs before time moves on unpaced, not never', async () => {
    const clock = new PacedClock({ speed: 10, wall: fakeWall(), startMs: 0 });
    clock.pause();
    const moving = clock.stepTo(1000);
    await until('the clock to stand still', () => clock.halted, 5_000);
    const ran: number[] = [];
    clock.between(() => ran.push(clock.now()));
    clock.stopPacing();
    await moving;
    expect([ran, clock.now()]).toEqual([[0], 1000]);
  });
});
