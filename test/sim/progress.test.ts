/** Progress of long commands when stderr is not a terminal (nohup, CI, a pipe). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProgress, type CommandIo } from '../../sim/commands/io.js';

const spec = { name: 'sweep', total: 400, unit: 'runs', barFormat: 'sweep [{bar}]' };

/** A non-terminal io whose wall clock reads `clock.ms`. */
function plainIo(clock: { ms: number }): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: () => {},
    err: (l) => lines.push(l),
    interactive: false,
    now: () => new Date(clock.ms),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('plain progress lines', () => {
  it('prints one at a tenth of the work at most every 10 s, and once a minute between', () => {
    const clock = { ms: 0 };
    const io = plainIo(clock);
    const progress = startProgress(io, spec);
    const at = (sec: number, done: number) => {
      clock.ms = sec * 1000;
      progress.update(done);
    };
    at(5, 60); // a tenth, but only 5 s in
    at(30, 120);
    at(45, 130); // 15 s later, but not a tenth more
    at(91, 130); // a minute since the last line
    progress.stop();
    expect(io.lines).toEqual(['sweep: 120/400 runs, eta 70 s', 'sweep: 130/400 runs, eta 3 min']);
  });

  it('prints one a minute while nothing is done, e.g. a queue with no workers', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = {
      get ms() {
        return Date.now();
      },
    };
    const io = plainIo(clock);
    const progress = startProgress(io, { ...spec, total: 10 });
    vi.advanceTimersByTime(150_000);
    progress.stop();
    vi.advanceTimersByTime(600_000);
    expect(io.lines).toEqual(['sweep: 0/10 runs, 60 s so far', 'sweep: 0/10 runs, 2 min so far']);
  });
});
