import type { Clock } from '../../infra/time/clock.js';
import { earnedMsat } from './credit.js';
import { callFields } from './consume-node.js';
import { buildPurchase } from './purchase-record.js';
import type { BuyerStateT } from './state.js';
import type { BuyerPurchase, StepTiming, Task, TaskResult } from './types.js';

/** A running task: when it started, and the graph node it is in, with when that node started and from what state. */
interface Running {
  task: Task;
  startedAt: number;
  node?: { name: string; at: number; state: BuyerStateT };
}

/**
 * The tasks an agent is running, each as it stood when its current graph
 * node started (the graph tells `enter` before each node runs). A run that
 * ends under a task, such as a simulation reaching its time limit, reads
 * from here what the task did so far (`unfinished`) to record it.
 */
export class TaskProgress {
  readonly #running = new Map<string, Running>();

  constructor(private readonly clock: Clock) {}

  start(task: Task, startedAt: number): void {
    this.#running.set(task.id, { task, startedAt });
  }

  /** Node `name` of a running task starts from state `s`. */
  enter(name: string, s: BuyerStateT): void {
    const r = this.#running.get(s.task.id);
    if (r) r.node = { name, at: this.clock.now(), state: s };
  }

  end(taskId: string): void {
    this.#running.delete(taskId);
  }

  /**
   * What the running task `taskId` did up to `atMs` (clock time), as a result ending then with
   * stopReason `unfinished` (`done` if every call was already delivered): its purchases and
   * steps so far, the node it was in as a step ending then, and, when that node was a call
   * whose token this attempt had just paid for, that call as a purchase with outcome
   * `unfinished` (paid, not delivered). Undefined when no task of that id is running.
   */
  unfinished(taskId: string, atMs: number): TaskResult | undefined {
    const r = this.#running.get(taskId);
    if (!r) return undefined;
    const s = r.node?.state;
    const calls = s?.callsDone ?? 0;
    const done = calls >= r.task.calls;
    const inNode: StepTiming[] = r.node
      ? [{ node: r.node.name, atMs: r.node.at, durationMs: atMs - r.node.at }]
      : [];
    const paid = r.node?.name === 'consume' ? paidCall(r.node.state, r.node.at, atMs) : undefined;
    return {
      taskId,
      done,
      stopReason: done ? 'done' : 'unfinished',
      calls,
      purchases: [...(s?.purchases ?? []), ...(paid ? [paid] : [])],
      spentMsat: s?.spentMsat ?? 0,
      feesMsat: s?.feesMsat ?? 0,
      earnedMsat: earnedMsat(r.task, calls),
      decisions: s?.decisions ?? [],
      delegations: s?.delegations ?? [],
      steps: [...(s?.steps ?? []), ...inNode],
      startedAt: r.startedAt,
      endedAt: atMs,
    };
  }
}

/**
 * The call a consume node was making from `at` to `atMs`, as a purchase record, when the
 * attempt bought its token (its payment is in the task's spend already): none for a held token
 * or one another task bought, which this attempt paid nothing for.
 */
function paidCall(s: BuyerStateT, at: number, atMs: number): BuyerPurchase | undefined {
  const q = s.chosen ? s.offers[s.chosen] : undefined;
  if (!q?.fresh || !q.paid || !q.token) return undefined;
  const fields = callFields(q, q.token, undefined, at, atMs);
  const reason = 'the run ended before the call was answered';
  return buildPurchase(s, q.listing, { ...fields, outcome: 'unfinished', reason }, q.req.url.href);
}
