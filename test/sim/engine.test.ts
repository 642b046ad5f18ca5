import { describe, expect, it, vi } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { quiesce } from '../../sim/engine/idle.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { createRng } from '../../infra/random.js';
import { LabError } from '../../infra/errors.js';

/** Work that hops through several macrotask turns before it touches the clock again, as LangGraph and streams do. */
async function deepWork(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('engine on virtual time', () => {
  it('moves time only when every activity waits on the clock, so work of any depth never drifts', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    const seen: { who: number; step: number; at: number }[] = [];
    for (let who = 0; who < 20; who++) {
      engine.spawn(`agent-${who}`, async () => {
        for (let step = 1; step <= 10; step++) {
          await clock.sleep(100 + who);
          // 40+ turns of work after waking: a loop that settles a fixed few turns
          // (VirtualClock.runUntilIdle) would move time under this agent's feet.
          await deepWork(40 + who);
          seen.push({ who, step, at: engine.elapsed() });
        }
      });
    }
    const result = await engine.run(60_000);
    expect(result.unfinished).toEqual([]);
    expect(seen).toHaveLength(200);
    for (const s of seen) expect(s.at).toBe(s.step * (100 + s.who));
    expect(result.endedAtMs).toBe(10 * 119);
  });

  it('runs an hour of virtual time as 60 one-minute ticks on the virtual clock', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    let ticks = 0;
    engine.spawn('ticker', async () => {
      while (engine.elapsed() < 3_600_000) {
        await clock.sleep(60_000);
        ticks++;
      }
    });
    await engine.run(4_000_000);
    expect(ticks).toBe(60);
  });

  it('stops with "stalled" instead of hanging when an activity waits on a real timer', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    engine.spawn('honest', () => clock.sleep(1000));
    engine.spawn('uses-setTimeout', () => new Promise((r) => setTimeout(r, 60_000).unref()));
    const err = await engine.run(10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('stalled');
    expect((err as LabError).message).toMatch(/uses-setTimeout/);
  });

  it('stops with "activity_failed" naming the activity when one throws', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    engine.spawn('fine', () => clock.sleep(10));
    engine.spawn('buggy', async () => {
      await clock.sleep(5);
      throw new TypeError('boom');
    });
    await expect(engine.run(1000)).rejects.toMatchObject({ code: 'activity_failed', message: /buggy.*boom/ });
  });

  it('abandons activities still running at the time limit and lists them', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    engine.spawn('short', () => clock.sleep(10));
    engine.spawn('long', () => clock.sleep(10_000));
    const r = await engine.run(1000);
    expect(r.unfinished).toEqual(['long']);
    // It ended at its time limit, not at the last wake-up before it (10).
    expect(r.endedAtMs).toBe(1000);
    expect(engine.elapsed()).toBe(1000);
  });

  it('interleaves the same way every time for the same seed', async () => {
    async function trace(seed: number): Promise<string> {
      const clock = new VirtualClock();
      const engine = new Engine({ clock });
      const rng = createRng(seed);
      const log: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = rng.fork(`a${i}`);
        engine.spawn(`a${i}`, async () => {
          for (let k = 0; k < 5; k++) {
            await clock.sleep(Math.round(r.exponential(50)));
            log.push(`${i}@${engine.elapsed()}`);
          }
        });
      }
      await engine.run(100_000);
      return log.join(' ');
    }
    expect(await trace(1)).toBe(await trace(1));
    expect(await trace(1)).not.toBe(await trace(2));
  });
});

/** The log of a neighbour that takes `depth` macrotask turns (with microtask hops after each) around a wait, and where the wait returned. */
async function aroundQuiesce(
  wait: () => Promise<number>,
  depth: number,
  neighbourFirst: boolean,
): Promise<string[]> {
  const log: string[] = [];
  let turn = 0;
  const neighbour = (): void => {
    const t = turn++;
    log.push(`turn ${t}`);
    void (async () => {
      for (let hop = 0; hop < 3; hop++) {
        await undefined;
        log.push(`turn ${t} hop ${hop}`);
      }
    })();
    if (turn < depth) setImmediate(neighbour);
  };
  if (neighbourFirst && depth > 0) setImmediate(neighbour);
  const waiting = wait();
  if (!neighbourFirst && depth > 0) setImmediate(neighbour);
  log.push(`quiet after ${await waiting} turns`);
  return log;
}

describe('quiesce', () => {
  it('takes the same turns, returning at the same point, as awaiting setImmediate() from timers/promises in a loop', async () => {
    const loop = async (minTurns = 1, maxTurns = 10_000) => {
      let turns = 0;
      const pending = () => process.getActiveResourcesInfo().includes('Immediate');
      while (turns < minTurns || (turns < maxTurns && pending())) {
        await nextTurn();
        turns++;
      }
      return turns;
    };
    for (const neighbourFirst of [true, false])
      for (const depth of [0, 1, 2, 5]) {
        const expected = await aroundQuiesce(() => loop(), depth, neighbourFirst);
        expect(await aroundQuiesce(() => quiesce(), depth, neighbourFirst)).toEqual(expected);
      }
    // A neighbour 5 turns deep keeps it turning: its last turn is seen, then one more to find nothing queued.
    expect((await aroundQuiesce(() => quiesce(), 5, true)).at(-1)).toBe('quiet after 5 turns');
    // Nothing else queued: one turn to look.
    expect((await aroundQuiesce(() => quiesce(), 0, true)).at(-1)).toBe('quiet after 1 turns');
    expect((await aroundQuiesce(() => quiesce(), 1, true)).at(-1)).toBe('quiet after 1 turns');
    expect((await aroundQuiesce(() => quiesce(), 1, false)).at(-1)).toBe('quiet after 2 turns');
  });
});

describe('engine step (VirtualClock.stepTo between quiesces)', () => {
  /**
   * Activities that share wake instants, work 0 to 6 macrotask turns deep with microtask hops,
   * and one that aborts a sleep due at the instant it wakes at, stepped by `step` between
   * quiesces as the engine does. Returns every hop in order and the setImmediate calls made.
   */
  async function trace(step: (clock: VirtualClock, t: number) => Promise<void>) {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    const abort = new AbortController();
    const work = async (who: string, depth: number) => {
      for (let i = 0; i < depth; i++) {
        await new Promise<void>((r) => setImmediate(r));
        log.push(`${who} turn ${i} @${clock.now()}`);
        await undefined;
        log.push(`${who} hop ${i}`);
      }
    };
    const agent = async (who: string, naps: number[], depth: number) => {
      for (const ms of naps) {
        await clock.sleep(ms);
        log.push(`${who} woke @${clock.now()}`);
        await work(who, depth);
      }
    };
    void agent('a', [10, 10, 5], 6);
    void agent('b', [10, 15], 2);
    void agent('c', [20, 5], 0);
    void clock.sleep(20).then(() => abort.abort());
    void clock.sleep(20, abort.signal).then(() => log.push('aborted sleep woke'));
    void agent('d', [7, 13, 5], 4);
    const spy = vi.spyOn(globalThis, 'setImmediate');
    try {
      for (;;) {
        await quiesce();
        const next = clock.nextWakeAt;
        if (next === undefined) break;
        await step(clock, next);
      }
      return { log, immediates: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('wakes and interleaves exactly as advanceTo does, in fewer turns: 76 setImmediate calls against 96', async () => {
    const viaAdvance = await trace((clock, t) => clock.advanceTo(t));
    const viaStep = await trace((clock, t) => clock.stepTo(t));
    expect(viaStep.log).toEqual(viaAdvance.log);
    expect(viaStep.log).not.toContain('aborted sleep woke');
    expect(viaStep.log).toContain('a woke @25');
    // 34 of them are the activities' own turns (a 3 × 6, b 2 × 2, d 3 × 4); the rest are the clock's.
    expect([viaStep.immediates, viaAdvance.immediates]).toEqual([76, 96]);
    expect(viaStep.immediates).toBeLessThan(viaAdvance.immediates); // the point of stepTo
  });
});
