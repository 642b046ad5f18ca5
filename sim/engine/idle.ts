import { immediateTurns } from '../../infra/time/virtual-clock.js';

/**
 * Waits until nothing but the virtual clock's sleepers can make progress.
 *
 * Promise chains (in-memory HTTP, the simnet) drain within one macrotask
 * turn; libraries that hop through `setImmediate` (LangGraph, streams) need
 * more. Instead of guessing a number of turns, keep turning while any
 * `Immediate` is still queued, so a chain of any depth settles before time
 * moves. One turn is enough to look: by the first, every microtask queued
 * before the call has run, and any `Immediate` it queued is seen as pending.
 * `maxTurns` bounds a component that reschedules itself forever.
 */
export function quiesce(minTurns = 1, maxTurns = 10_000): Promise<number> {
  return immediateTurns((turns) => turns < minTurns || (turns < maxTurns && immediatePending()));
}

function immediatePending(): boolean {
  return process.getActiveResourcesInfo().includes('Immediate');
}
