import type { Rng } from '../../infra/random.js';
import type { Task } from '../../agents/buyer/types.js';
import type { Engine } from '../engine/engine.js';
import { drawValue, nextArrivalMs, pickTask } from '../engine/draws.js';
import type { ArrivalsSpec, TaskTypeSpec } from '../scenario/schema.js';
import type { MarketAgent } from './agent.js';
import { taskInput } from './task-input.js';

/**
 * An agent's arrival loop: tasks arrive by the spec's process (Poisson or
 * fixed interval) until the run's duration; each runs as its own activity,
 * so one agent may have several tasks in flight.
 */
export function startArrivals(
  engine: Engine,
  agent: MarketAgent,
  arrivals: ArrivalsSpec,
  tasks: readonly TaskTypeSpec[],
  rng: Rng,
  durationMs: number,
): void {
  const arrivalRng = rng.fork('arrivals');
  const taskRng = rng.fork('tasks');
  let n = 0;
  engine.spawn(`arrivals ${agent.name}`, async () => {
    for (let first = true; ; first = false) {
      const wait = nextArrivalMs(arrivals, arrivalRng, first);
      if (engine.elapsed() + wait >= durationMs) return;
      await engine.clock.sleep(wait);
      const type = pickTask(tasks, taskRng);
      const task: Task = {
        id: `${agent.name}/${n++}`,
        capability: type.capability,
        ...(type.category && { category: type.category }),
        calls: type.calls,
        valueMsat: drawValue(type.value, taskRng),
        ...(type.credit && { credit: type.credit }),
        ...taskInput(type.capability, taskRng),
      };
      engine.spawn(`task ${task.id}`, () => agent.runTask(task));
    }
  });
}
