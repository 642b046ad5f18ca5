import type { Msat } from '../../infra/money.js';
import type { Task } from './types.js';

/**
 * How a task's value is credited when its run ends:
 * - `per_call` (the default): a finished task earns its whole value; an
 *   unfinished one earns `floor(valueMsat × calls done / calls)`.
 * - `all_or_nothing`: a finished task earns its whole value, an unfinished one 0.
 * Either way the value goes to the task whose calls were done, whichever task
 * paid for the token they used.
 */
export const TASK_CREDITS = ['per_call', 'all_or_nothing'] as const;
export type TaskCredit = (typeof TASK_CREDITS)[number];

/** The value a task earned with `callsDone` of its `calls` delivered, under its credit rule. */
export function earnedMsat(task: Pick<Task, 'valueMsat' | 'calls' | 'credit'>, callsDone: number): Msat {
  if (callsDone >= task.calls) return task.valueMsat;
  if ((task.credit ?? 'per_call') === 'all_or_nothing') return 0;
  return Math.floor((task.valueMsat * callsDone) / task.calls);
}
