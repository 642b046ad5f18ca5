import { describe, expect, test } from 'vitest';
import { PacedClock, type WallTime } from '../../sim/live/paced-clock.js';

/** A wall clock that moves only when slept on (one macrotask per sleep, so waiting code can interleave). */
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

describe('PacedClock', () => {
  // advanceTo (by hand) and stepTo (the engine's step) move time the same paced way.
  describe.each(['advanceTo', 'stepTo'] as const)('%s', (move) => {
    test('at 10x, one second of market time waits 100 ms of wall time', async () => {
      const wall = fakeWall();
      const clock = new PacedClock({ speed: 10, wall, startMs: 0 });
      await clock[move](1000);
      expect([clock.now(), wall.t]).toEqual([1000, 100]);
    });

    test('paused, time does not move however long the wall clock runs; resumed, it does', async () => {
      const wall = fakeWall();
      const clock = new PacedClock({ speed: 10, wall, startMs: 0 });
      clock.pause();
      const moving = clock[move](1000);
      while (wall.t < 10_000) await new Promise((r) => setImmediate(r));
      expect([clock.now(), clock.halted]).toEqual([0, true]);
      clock.resume();
      await moving;
      expect([clock.now(), clock.halted]).toEqual([1000, false]);
    });
  });

  test('a speed change applies from the moment it is made', async () => {
    const wall = fakeWall();
    const clock = new PacedClock({ speed: 10, wall, startMs: 0 });
    await clock.advanceTo(1000);
    clock.setSpeed(100);
    await clock.advanceTo(2000);
    expect([clock.now(), wall.t]).toEqual([2000, 110]);
  });

  test('actions queued with between run before time moves', async () => {
    const clock = new PacedClock({ speed: 100, wall: fakeWall(), startMs: 0 });
    const seen: number[] = [];
    clock.between(() => seen.push(clock.now()));
    await clock.advanceTo(500);
    expect(seen).toEqual([0]);
  });

  test.each([0, 0.1, 101, Number.NaN])('refuses speed %s with a RangeError naming the range', (speed) => {
    expect(() => new PacedClock({ speed })).toThrow(/^speed must be between 0.25 and 100/);
  });
});
