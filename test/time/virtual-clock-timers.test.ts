/**
 * Timers on the virtual clock (`setTimer`, and a `sleep` given a signal): what
 * a request's time limit runs on in the simulator. A limit is set per request
 * and nearly always cancelled (the answer came first), so a cancelled one must
 * leave the clock's queue at once, holding nothing: before, an aborted sleep
 * stayed queued until its wake time (30 s of market time for a request's
 * limit), keeping its callbacks and all they reach.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether `target` can be collected once the current job is over (a WeakRef holds it until then). */
async function collectable(ref: WeakRef<object>): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
}

describe('VirtualClock.setTimer', () => {
  it('fires at exactly its virtual time, in queue order with sleepers due then', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    void clock.sleep(10).then(() => order.push(`a@${clock.now()}`));
    clock.setTimer(10, () => order.push(`b@${clock.now()}`));
    void clock.sleep(10).then(() => order.push(`c@${clock.now()}`));
    clock.setTimer(5, () => order.push(`d@${clock.now()}`));

    expect(await clock.runUntilIdle()).toBe(4);
    expect(order).toEqual(['d@5', 'a@10', 'b@10', 'c@10']);
  });

  it('a cancelled timer never fires, leaves the queue at once and time never moves to it; cancelling again, or after it fired, does nothing', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const cancelLate = clock.setTimer(30_000, () => fired.push('cancelled'));
    const cancelKept = clock.setTimer(1_000, () => fired.push('kept'));
    expect(clock.pending).toBe(2);

    cancelLate();
    cancelLate();
    expect([clock.pending, clock.nextWakeAt]).toEqual([1, 1_000]);
    await clock.runUntilIdle();
    cancelKept();

    expect(fired).toEqual(['kept']);
    expect([clock.now(), clock.pending, clock.nextWakeAt]).toEqual([1_000, 0, undefined]);
  });

  it('a long run of 30 s limits each cancelled after 1 ms (answers that came first) keeps at most one queued and never wakes for one', async () => {
    const clock = new VirtualClock(0);
    let fired = 0;
    const queued: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const cancel = clock.setTimer(30_000, () => fired++);
      await clock.advance(1);
      queued.push(clock.pending);
      cancel();
    }

    expect(fired).toBe(0);
    expect(new Set(queued)).toEqual(new Set([1]));
    expect([clock.now(), clock.pending, await clock.runUntilIdle()]).toEqual([2_000, 0, 0]);
  });

  it('a cancelled timer holds nothing: what its callback reaches can be collected before its wake time', async () => {
    const clock = new VirtualClock(0);
    let ref!: WeakRef<object>;
    (() => {
      const held = { bytes: new Uint8Array(1024) };
      ref = new WeakRef(held);
      clock.setTimer(30_000, () => void held.bytes.fill(1))();
    })();

    expect(await collectable(ref)).toBe(true);
  });
});

describe('VirtualClock.sleep with a signal', () => {
  it('an aborted sleep holds nothing: what waits on it can be collected before its wake time', async () => {
    const clock = new VirtualClock(0);
    let ref!: WeakRef<object>;
    (() => {
      const held = { bytes: new Uint8Array(1024) };
      ref = new WeakRef(held);
      const abort = new AbortController();
      void clock.sleep(30_000, abort.signal).then(() => held.bytes.fill(1));
      abort.abort();
    })();

    expect(clock.pending).toBe(0);
    expect(await collectable(ref)).toBe(true);
  });
});
