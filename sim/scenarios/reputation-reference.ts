/**
 * The reputation section's reference: Thompson sampling alone, without the
 * market. Each simulated buyer has the product's `thompsonDecider` and the
 * scenario's offers (every seller's fixed price; the `no-delivery` seller
 * fails every paid call, the others deliver), gets tasks by the scenario's
 * own arrival process over its duration, and in each task buys what the
 * decider chooses, after a failure the next choice among the sellers not
 * yet tried (as the buyer graph does), and learns the task's outcomes when
 * it ends. No network, timing, concurrency or ratings: what the market adds
 * to the decider is the difference from this.
 */
import { createRng, type Rng } from '../../infra/random.js';
import { thompsonDecider } from '../../agents/buyer/deciders/thompson.js';
import type { SellerOutcome } from '../../agents/buyer/deciders/types.js';
import type { OfferTerms, Task } from '../../agents/buyer/types.js';
import type { Listing } from '../../services/registry/types.js';
import { nextArrivalMs } from '../engine/draws.js';
import type { Scenario } from '../scenario/schema.js';
import { tInterval, type Interval } from '../metrics/stats.js';

/** One seller as the decider sees it: its fixed price and whether a paid call is delivered. */
interface ReferenceSeller {
  name: string;
  priceMsat: number;
  delivers: boolean;
}

/** What the reference measured: paid calls not delivered per buyer (mean and 95% t-interval over buyers). */
export interface ReferenceResult {
  buyers: number;
  tasks: number;
  failuresPerBuyer: Interval;
}

/** The sellers and the task value of `scenario`'s first buyer group, as the reference needs them (fixed prices and value). */
function referenceMarket(scenario: Scenario) {
  const sellers: ReferenceSeller[] = scenario.sellers.flatMap((s) => {
    if (s.price.kind !== 'fixed') throw new RangeError(`seller ${s.name}: the reference needs a fixed price`);
    const one = { priceMsat: s.price.msat, delivers: s.adversarial?.mode !== 'no-delivery' };
    const count = s.count ?? 1;
    return Array.from({ length: count }, (_, i) => ({ ...one, name: count > 1 ? `${s.name}-${i}` : s.name }));
  });
  const group = scenario.buyers[0]!;
  const task = group.tasks[0]!;
  if (group.tasks.length !== 1 || task.value.dist !== 'fixed' || (task.calls ?? 1) !== 1)
    throw new RangeError(
      `buyer group ${group.name}: the reference needs one task type of one call with a fixed value`,
    );
  return { sellers, group, valueMsat: task.value.msat };
}

/** Tasks one buyer gets: arrivals by the scenario's process, as the market draws them, within its duration. */
function taskCount(scenario: Scenario, rng: Rng): number {
  const durationMs = scenario.durationSec * 1000;
  const arrivals = scenario.buyers[0]!.arrivals;
  let n = 0;
  for (let at = 0, first = true; ; first = false) {
    at += nextArrivalMs(arrivals, rng, first);
    if (at >= durationMs) return n;
    n++;
  }
}

/** The offers as the decider weighs them: one listing per seller, in the given order. */
function offersOf(sellers: readonly ReferenceSeller[], valueMsat: number): OfferTerms[] {
  return sellers.map((s, i) => ({
    listing: { id: `seller-${i}`, name: s.name, tiers: [] } as unknown as Listing,
    source: 'challenge',
    priceMsat: s.priceMsat,
    covers: 1,
    valueMsat,
  }));
}

/** Paid calls not delivered by one buyer over `tasks` tasks. */
async function oneBuyer(rng: Rng, tasks: number, sellers: readonly ReferenceSeller[], valueMsat: number) {
  const decider = thompsonDecider(rng);
  const all = offersOf(sellers, valueMsat);
  let failures = 0;
  for (let t = 0; t < tasks; t++) {
    const task: Task = { id: `task-${t}`, capability: 'reference', valueMsat, calls: 1 };
    const outcomes: SellerOutcome[] = [];
    for (let live = all; live.length;) {
      const { index } = await decider.choose(live, task);
      if (index < 0) break;
      const chosen = live[index]!;
      const delivered = sellers[all.indexOf(chosen)]!.delivers;
      outcomes.push({ listingId: chosen.listing.id, delivered });
      if (delivered) break;
      failures++;
      live = live.filter((o) => o !== chosen);
    }
    decider.learn?.(outcomes);
  }
  return failures;
}

/** Runs the reference for `buyers` buyers from `seed`: paid calls not delivered per buyer. */
export async function deciderAloneReference(
  scenario: Scenario,
  buyers: number,
  seed: number,
): Promise<ReferenceResult> {
  const { sellers, valueMsat } = referenceMarket(scenario);
  const root = createRng(seed);
  const perBuyer: number[] = [];
  let tasks = 0;
  for (let b = 0; b < buyers; b++) {
    const n = taskCount(scenario, root.fork(`arrivals/${b}`));
    tasks += n;
    perBuyer.push(await oneBuyer(root.fork(`decider/${b}`), n, sellers, valueMsat));
  }
  return { buyers, tasks, failuresPerBuyer: tInterval(perBuyer) };
}
