import type { Rng } from '../../infra/random.js';
import type { Logger } from '../../infra/log.js';
import type { PurchaseResult } from '../../agents/l402/index.js';
import type { ListingTier } from '../../services/registry/types.js';
import { createSubAgent, type SubAgent } from '../../agents/resale/index.js';
import { earnedMsat } from '../../agents/buyer/index.js';
import type { Engine } from '../engine/engine.js';
import { drawValue, nextArrivalMs } from '../engine/draws.js';
import type { NewPurchaseRow, Recorder } from '../metrics/recorder.js';
import type { ResellerSpec } from '../scenario/schema.js';
import { subAgentNames } from '../scenario/node-names.js';
import { defaultBalanceMsat } from '../scenario/buyer-schema.js';
import type { RevenueTracker } from './sellers.js';
import { purchaseRow } from './purchase-row.js';
import { stepEvents } from './step-events.js';
import type { OpenTasks } from './open-tasks.js';
import type { World } from './world.js';

/** A reseller built into the world: where its slices are sold, where they are used, its sub-agents. */
export interface BuiltReseller {
  name: string;
  spec: ResellerSpec;
  sliceUrl: string;
  originUrl: string;
  /** The origin seller's listing name (the seller of the calls made with slices). */
  originSeller: string;
  /** The origin's advertised tiers (a slice's token is for its bundle tier). */
  originTiers: readonly ListingTier[];
  subs: { agent: SubAgent; rng: Rng }[];
}

/** What building and running the resellers reads. */
export interface ResaleCtx {
  world: World;
  recorder: Recorder;
  revenue: RevenueTracker;
  logger: Logger;
  startMs: number;
  /** Where its sub-agents' running tasks are open, so a run that ends under one records it. */
  openTasks: OpenTasks;
}

/** The reseller's sub-agents, each with its node, budget and own seeded stream. */
export async function buildSubAgents(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  name: string,
): Promise<BuiltReseller['subs']> {
  const { world, recorder, logger } = ctx;
  const onEvent = stepEvents(recorder, ctx.startMs);
  const subs: BuiltReseller['subs'] = [];
  for (const subName of subAgentNames(name, spec.subAgents.count)) {
    const funding = defaultBalanceMsat(spec.subAgents.budgetMsat);
    const subNode = await world.node(subName, 'sub-agent', funding);
    recorder.entity('sub-agent');
    const agent = createSubAgent({
      name: subName,
      node: subNode,
      fetch: world.fetch,
      clock: world.clock,
      budgetMsat: spec.subAgents.budgetMsat,
      logger,
      // Each purchase tagged with the sub-agent task it serves.
      ...(onEvent && { onEvent }),
    });
    subs.push({ agent, rng: world.rng.fork(`sub-agent/${subName}`) });
  }
  return subs;
}

/** Spawns a sub-agent's arrivals: each draws a task value and runs one slice task. */
export function startSubAgent(
  ctx: ResaleCtx,
  engine: Engine,
  r: BuiltReseller,
  sub: BuiltReseller['subs'][number],
  durationMs: number,
): void {
  const arrivals = sub.rng.fork('arrivals');
  const values = sub.rng.fork('values');
  let n = 0;
  engine.spawn(`arrivals ${sub.agent.name}`, async () => {
    for (let first = true; ; first = false) {
      const wait = nextArrivalMs(r.spec.subAgents.arrivals, arrivals, first);
      if (engine.elapsed() + wait >= durationMs) return;
      await ctx.world.clock.sleep(wait);
      const taskId = `${sub.agent.name}/${n++}`;
      const valueMsat = drawValue(r.spec.subAgents.value, values);
      engine.spawn(`task ${taskId}`, () => runSubTask(ctx, r, sub.agent, taskId, valueMsat));
    }
  });
}

/** One sub-agent task: buy a slice, spend its calls at the origin, record the purchases and the task. */
async function runSubTask(
  ctx: ResaleCtx,
  r: BuiltReseller,
  agent: SubAgent,
  taskId: string,
  valueMsat: number,
): Promise<void> {
  const { recorder, startMs } = ctx;
  const clock = ctx.world.clock;
  const startedAt = clock.now();
  const row = {
    buyer: agent.name,
    group: `${r.spec.name} sub-agents`,
    role: 'sub-agent' as const,
    capability: r.spec.capability,
    taskId,
    startMs,
  };
  let [spent, fees, calls] = [0, 0, 0];
  const task = (end: SubTaskEnd) =>
    recordSubTask(recorder, { ...row, calls: r.spec.sliceCalls, valueMsat, startedAt }, end);
  // A run that ends under the task records it as it stands: the calls made and the money paid so far.
  const close = ctx.openTasks.open((atMs) =>
    task({ calls, spent, fees, endedAt: atMs, stopReason: 'unfinished' }),
  );
  // The slice's first call at the origin is its check: the reseller is paid only if it works.
  const bought = await agent.buySlice(
    r.sliceUrl,
    { taskValueMsat: valueMsat, buyer: agent.name, tag: taskId },
    { url: r.originUrl },
  );
  const sale = purchaseRow(bought.result, {
    ...row,
    seller: r.name,
    tier: { kind: 'slice', calls: r.spec.sliceCalls },
  });
  const atOrigin = { ...row, seller: r.originSeller, tiers: r.originTiers };
  spent += bought.result.paidMsat;
  fees += bought.result.feeMsat;
  if (bought.check) {
    await bought.check.response?.body?.cancel();
    recorder.purchase(withCheck(sale, purchaseRow(bought.check, atOrigin)));
    if (bought.check.outcome === 'success') calls++;
  } else recorder.purchase(sale);
  const record = async (used: PurchaseResult) => {
    await used.response?.body?.cancel();
    recorder.purchase(purchaseRow(used, atOrigin));
    spent += used.paidMsat;
    fees += used.feeMsat;
    if (used.outcome === 'success') calls++;
  };
  if (bought.slice)
    for (let i = bought.check ? 1 : 0; i < r.spec.sliceCalls; i++)
      await record(await agent.call(r.originUrl, undefined, taskId));
  const done = calls === r.spec.sliceCalls;
  const stopReason = done ? 'done' : bought.slice ? 'not_delivered' : bought.result.outcome;
  if (close()) task({ calls, spent, fees, endedAt: clock.now(), stopReason });
}

/** How a sub-agent task ended: the calls delivered, what it paid (fees apart), when, and why. */
interface SubTaskEnd {
  calls: number;
  spent: number;
  fees: number;
  endedAt: number;
  stopReason: string;
}

/** A sub-agent task's tasks.csv row (a slice earns per call delivered). */
function recordSubTask(
  recorder: Recorder,
  t: { buyer: string; group: string; capability: string; taskId: string; startMs: number } & {
    calls: number;
    valueMsat: number;
    startedAt: number;
  },
  end: SubTaskEnd,
): void {
  const done = end.calls === t.calls;
  recorder.task({
    taskId: t.taskId,
    buyer: t.buyer,
    group: t.group,
    role: 'sub-agent',
    capability: t.capability,
    calls: t.calls,
    valueMsat: t.valueMsat,
    earnedMsat: earnedMsat({ valueMsat: t.valueMsat, calls: t.calls }, end.calls),
    done,
    spentMsat: end.spent,
    feesMsat: end.fees,
    startedAtMs: t.startedAt - t.startMs,
    endedAtMs: end.endedAt - t.startMs,
    stopReason: end.stopReason,
  });
  recorder.ended(end.endedAt - t.startMs);
}

/**
 * The slice sale's row with its check as its call: the check is the slice's first call at the
 * origin, made with the slice before its payment settled, so the sale and that call are one
 * purchase attempt (one row, one delivery at most), not two. The row keeps the sale's payee
 * (the reseller), money and outcome (`slice_refused` when the check failed); its consume step
 * is the check's call, served by the origin (`servedBy`: its cost of serving a call is the row's). The check pays nothing (it only presents the slice), so spend and
 * conservation are those of the sale alone.
 */
function withCheck(sale: NewPurchaseRow, check: NewPurchaseRow): NewPurchaseRow {
  if (check.paidMsat !== 0 || check.feeMsat !== 0)
    throw new Error('a slice check paid: it only presents the slice');
  const steps = { ...sale.steps, ...(check.steps.consume && { consume: check.steps.consume }) };
  const spans = Object.values(steps);
  // The call is the check's: the origin served it, and bears its cost.
  const row = { ...sale, servedBy: check.seller };
  if (spans.length === 0) return { ...row, requests: sale.requests + check.requests };
  return {
    ...row,
    // From the first step's start to the last one's end, as every row.
    startMs: Math.min(...spans.map((s) => s.atMs)),
    endMs: Math.max(...spans.map((s) => s.atMs + s.ms)),
    requests: sale.requests + check.requests,
    steps,
  };
}
