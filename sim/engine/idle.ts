/**
 * Waits until nothing but the virtual clock's sleepers can make progress.
 *
 * Promise chains (in-memory HTTP, the simnet) drain within one macrotask
 * turn; libraries that hop through `setImmediate` (LangGraph, streams) need
 * more. Instead of guessing a number of turns, keep turning while any
 * `Immediate` is still queued, so a chain of any depth settles before time
 * moves. `maxTurns` bounds a component that reschedules itself forever.
 */
export function quiesce(minTurns = 2, maxTurns = 10_000): Promise<number> {
  // Each turn is an Immediate that queues the next from its own callback: the same turns,
  // queued at the same points, as awaiting `setImmediate()` from timers/promises in a loop
  // (the microtask queue is empty when an immediate's callback runs, so checking there sees
  // what the loop saw one microtask later), without a promise and an async frame per turn.
  return new Promise((resolve) => {
    let turns = 0;
    const turn = (): void => {
      if (turns < minTurns || (turns < maxTurns && immediatePending())) {
        turns++;
        setImmediate(turn);
      } else resolve(turns);
    };
    turn();
  });
}

function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes('Immediate');
}
