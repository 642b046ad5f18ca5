/** Engine.stop: a run ended early, as its time limit would end it, on virtual time and on the wall clock. */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { systemClock, type Clock } from '../../infra/time/clock.js';

/** A ticker that never ends on its own: it wakes every `everyMs`. */
function ticker(engine: Engine, clock: Clock, everyMs: number): void {
  engine.spawn('ticker', async () => {
    for (;;) await clock.sleep(everyMs);
  });
}

describe('Engine.stop', () => {
  it('ends a virtual-time run at the step where it is called, listing what still ran, and says stopped', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    ticker(engine, clock, 100);
    engine.at(250, 'stopper', () => engine.stop());
    const result = await engine.run(3_600_000);
    expect([result.endedAtMs, result.stopped, result.unfinished]).toEqual([250, true, ['ticker']]);
  });

  it('with a condition, runs on until the first step boundary where it holds', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    ticker(engine, clock, 100);
    engine.at(250, 'stopper', () => engine.stop(() => engine.elapsed() >= 600));
    const result = await engine.run(3_600_000);
    expect([result.endedAtMs, result.stopped]).toEqual([600, true]);
  });

  it('a run that ends by itself, or at its time limit, is not stopped', async () => {
    const clock = new VirtualClock();
    const engine = new Engine({ clock });
    ticker(engine, clock, 100);
    const result = await engine.run(1_000);
    expect([result.endedAtMs, result.stopped, result.unfinished]).toEqual([1_000, false, ['ticker']]);
  });

  it('ends a wall-clock run too, its activities abandoned', async () => {
    const engine = new Engine({ clock: systemClock });
    ticker(engine, systemClock, 50);
    setTimeout(() => engine.stop(), 100);
    const result = await engine.run(3_600_000);
    expect([result.stopped, result.unfinished]).toEqual([true, ['ticker']]);
  });
});
