/**
 * Ctrl-C (SIGINT) or SIGTERM during a command that writes a run (`sim run`,
 * `npm run demo`) or runs a local sweep (`sim sweep`). The first press asks
 * the command to stop: a run then writes what it recorded as a partial run
 * (stopped-run.ts); a sweep ends the runs in progress and keeps those that
 * finished (sweep/stopped-sweep.ts). While it stops a further press only says
 * so; the press after that quits at once (exit 130), which may leave a run's
 * files incomplete. Presses are
 * counted as infra/presses.ts counts them (`npm run` relays each one).
 */
import { performance } from 'node:perf_hooks';
import { SAME_PRESS_MS, countPresses } from '../infra/presses.js';

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

/** What the second press (the command is stopping) and the third (it quits at once) say. */
export interface StopWords {
  stopping: string;
  quitting: string;
}

/** A run's words: it is writing what it recorded to `outDir`. */
function runStopWords(outDir: string): StopWords {
  return {
    stopping: `stopping: writing what the run recorded to ${outDir}; press Ctrl-C again to quit at once`,
    quitting: 'quitting before the stopped run was written: its files may be incomplete',
  };
}

/**
 * Listens for stop presses on `process` until `close()`: the second says on
 * `say` that the command is stopping (by default: the run is being written
 * to `outDir`); the third says it quits, and exits.
 */
export function watchStopPresses(
  outDir: string,
  say: (text: string) => void,
  words: StopWords = runStopWords(outDir),
): StopPresses {
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
      if (press === 2) return say(words.stopping);
      say(words.quitting);
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

/**
 * An AbortSignal that fires SAME_PRESS_MS after the first press, the command
 * running on meanwhile: `npm run` relays the press, and the copy, were it
 * seen only after the stopping command had held the event loop, would count
 * as a second press.
 */
export function stopAfterRelay(first: Promise<NodeJS.Signals>): { signal: AbortSignal; cancel(): void } {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  void first.then(() => (timer = setTimeout(() => stop.abort(), SAME_PRESS_MS)));
  return { signal: stop.signal, cancel: () => clearTimeout(timer) };
}
