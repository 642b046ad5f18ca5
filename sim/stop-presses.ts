/**
 * Ctrl-C (SIGINT) or SIGTERM during a command that writes a run (`sim run`,
 * `npm run demo`). The first press asks the command to stop its run, which
 * then writes what it recorded as a partial run (stopped-run.ts). While that
 * is written a further press only says so; the press after that quits at
 * once (exit 130), which may leave the run's files incomplete. Presses are
 * counted as infra/presses.ts counts them (`npm run` relays each one).
 */
import { performance } from 'node:perf_hooks';
import { countPresses } from '../infra/presses.js';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** The exit code of a third press, which quits before the stopped run is written. */
export const QUIT_EXIT = 130;

/** The exit code of a command whose run `signal` stopped: 128 + the signal's number. */
export function stoppedExit(signal: NodeJS.Signals): 130 | 143 {
  return signal === 'SIGTERM' ? 143 : 130;
}

export interface StopPresses {
  /** Resolves at the first press with its signal. */
  readonly first: Promise<NodeJS.Signals>;
  /** Stops listening: the signals end the process again. */
  close(): void;
}

/**
 * Listens for stop presses on `process` until `close()`: the second says on
 * `say` that the run is being written to `outDir`; the third exits.
 */
export function watchStopPresses(outDir: string, say: (text: string) => void): StopPresses {
  let last: NodeJS.Signals = 'SIGINT';
  // Listeners run in the order added: this one names the signal before a press counts it.
  const seen = STOP_SIGNALS.map((s) => {
    const note = () => (last = s);
    process.on(s, note);
    return () => process.off(s, note);
  });
  let pressed!: (signal: NodeJS.Signals) => void;
  const first = new Promise<NodeJS.Signals>((resolve) => (pressed = resolve));
  const unlisten = countPresses(
    process,
    STOP_SIGNALS,
    () => performance.now(),
    (press) => {
      if (press === 1) return pressed(last);
      if (press === 2)
        return say(
          `stopping: writing what the run recorded to ${outDir}; press Ctrl-C again to quit at once`,
        );
      say('quitting before the stopped run was written: its files may be incomplete');
      process.exit(QUIT_EXIT);
    },
  );
  return {
    first,
    close: () => {
      unlisten();
      for (const off of seen) off();
    },
  };
}
