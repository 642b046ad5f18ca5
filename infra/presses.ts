/**
 * Counting presses of Ctrl-C (or other stop signals) for commands that act
 * on the first and let a later one force an exit. Signals closer together
 * than SAME_PRESS_MS are one press: `npm run` passes the terminal's SIGINT
 * on to a child that got it already.
 */

/** Signals this close to the last one counted are the same press. */
export const SAME_PRESS_MS = 300;

/** Where signals come from: `process`, or a test's stand-in. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: () => void): unknown;
  off(event: NodeJS.Signals, listener: () => void): unknown;
}

/**
 * Calls `onPress` with the press's number (1, 2, …) for each press of any of
 * `signals` from `source`, timed by `now` (ms); returns how to stop listening.
 */
export function countPresses(
  source: SignalSource,
  signals: readonly NodeJS.Signals[],
  now: () => number,
  onPress: (press: number) => void,
): () => void {
  let presses = 0;
  let last = -Infinity;
  const listener = (): void => {
    if (now() - last < SAME_PRESS_MS) return;
    last = now();
    onPress(++presses);
  };
  for (const s of signals) source.on(s, listener);
  return () => {
    for (const s of signals) source.off(s, listener);
  };
}
