import type { Task, TaskResult } from '../../agents/buyer/types.js';
import type { Recorder } from '../metrics/recorder.js';
import type { AgentSpec } from './agent.js';
import { chainOf, purchaseRow } from './purchase-row.js';
import type { MarketRegistry } from './registry.js';
import type { Redemptions } from './redemptions.js';

/** Records a task's purchases (each with the graph steps that led to it and its seller's tiers) and the task itself. */
export function recordTask(
  {
    recorder,
    registry,
    redemptions,
  }: { recorder: Recorder; registry: MarketRegistry; redemptions: Redemptions },
  spec: AgentSpec,
  startMs: number,
  r: TaskResult,
  task: Task,
): void {
  // Each purchase row carries the graph steps that led to it (since the buyer last re-evaluated).
  for (const p of r.purchases) {
    const row = purchaseRow(
      p,
      {
        buyer: spec.name,
        group: spec.group,
        role: spec.role,
        seller: p.seller,
        capability: task.capability,
        taskId: task.id,
        startMs,
        tiers: registry.tiersOf(p.listingId),
      },
      chainOf(r.steps, p.stepIndex),
    );
    recorder.purchase(redemptions.mark(row, p.paymentHash));
  }
  recorder.task({
    taskId: task.id,
    buyer: spec.name,
    group: spec.group,
    role: spec.role,
    capability: task.capability,
    calls: task.calls,
    valueMsat: task.valueMsat,
    earnedMsat: r.earnedMsat,
    done: r.done,
    spentMsat: r.spentMsat,
    feesMsat: r.feesMsat,
    startedAtMs: r.startedAt - startMs,
    endedAtMs: r.endedAt - startMs,
    stopReason: r.stopReason,
  });
  recorder.ended(r.endedAt - startMs);
}
