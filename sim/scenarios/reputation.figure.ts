/**
 * The reputation figures for docs/simulator.md, generated (never typed by
 * hand): the money lost to the failing seller per grid point, from a
 * sweep's run summaries, and the reference it is compared with, Thompson
 * sampling alone without the market (`reputation-reference.ts`):
 *
 *   npm run sim -- sweep reputation --out runs/reputation
 *   npx tsx sim/scenarios/reputation.figure.ts runs/reputation
 *
 * Prints a table of payments for nothing per seed, their mean (and the
 * sat they cost: the failing seller's revenue) and the paired difference
 * against the first point; then paid failures per buyer of the learners
 * without ratings next to the reference's, each with its 95% interval.
 */
import type { Summary } from '../metrics/summary.js';
import { pairedDifference } from '../metrics/paired.js';
import { tInterval, type Interval } from '../metrics/stats.js';
import { fixed } from '../report/format.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioChecks } from '../market/checks.js';
import type { MergedPoint } from '../sweep/merge.js';
import {
  pointSummaries,
  readFigureSweep,
  requireGroups,
  runFigure,
  skippedRuns,
  sweepCommandFor,
} from '../sweep/figure-input.js';
import { deciderAloneReference } from './reputation-reference.js';

/** Buyers and seed of the reference run (its interval is over buyers). */
const REFERENCE_BUYERS = 20_000;
const REFERENCE_SEED = 1;

const dir = process.argv[2];
if (!dir || dir === '--help' || dir === '-h') {
  process.stdout.write(
    `usage: tsx sim/scenarios/reputation.figure.ts <sweep output dir>, made by \`${sweepCommandFor('reputation', 'DIR')}\`\n`,
  );
  process.exit(dir ? 0 : 2);
}

/** A point's settings, short: `decider=thompson, rateSellers=true`. */
const settings = (p: MergedPoint) =>
  Object.entries(p.overrides)
    .map(
      ([k, v]) =>
        `${k.replace(/^buyers\[0\]\./, '')}=${typeof v === 'object' && v ? (v as { name: string }).name : String(v)}`,
    )
    .join(', ');
const interval = (i: Interval, digits: number) =>
  `${fixed(i.mean, digits)} [${fixed(i.low, digits)}, ${fixed(i.high, digits)}]`;

await runFigure(async () => {
  const sweep = readFigureSweep(dir, 'reputation');
  requireGroups(sweep, dir, ['shoppers']);
  const scenario = loadScenario('reputation', { checks: scenarioChecks });
  const buyers = scenario.buyers[0]!.count ?? 1;
  const undelivered = new Map<number, Map<string, number>>();
  const lines = [
    `| point | payments for nothing, seeds ${sweep.seeds.join(', ')} | mean (sat lost) | Δ vs the first point, paired (payments) |`,
    '| --- | --- | --- | --- |',
  ];
  for (const p of sweep.points) {
    const runs = pointSummaries(dir, sweep, p);
    const calls = new Map([...runs].map(([seed, s]) => [seed, s.purchases.paymentsForNothing]));
    undelivered.set(p.index, calls);
    const lost = tInterval([...runs.values()].map((s: Summary) => s.sellers.taker?.revenueMsat ?? 0));
    const mean = tInterval([...calls.values()]);
    const d = p.index === 0 ? undefined : pairedDifference(calls, undelivered.get(0)!);
    lines.push(
      `| ${settings(p)} | ${[...calls.values()].join(', ')} | ${fixed(mean.mean, 1)} (${fixed(lost.mean === null ? null : lost.mean / 1000, 1)} sat) | ${d ? `${fixed(d.mean, 1)} [${fixed(d.low, 1)}, ${fixed(d.high, 1)}]` : 'baseline'} |`,
    );
  }
  const learners = sweep.points.find((p) => settings(p) === 'decider=thompson, rateSellers=false');
  if (learners) {
    const perBuyer = tInterval([...undelivered.get(learners.index)!.values()].map((n) => n / buyers));
    lines.push(
      '',
      `market, ${settings(learners)}: ${interval(perBuyer, 2)} paid failures per buyer (${buyers} buyers, 95% t-interval over ${perBuyer.n} seeds)`,
    );
  }
  const ref = await deciderAloneReference(scenario, REFERENCE_BUYERS, REFERENCE_SEED);
  lines.push(
    `Thompson sampling alone (no market; ${REFERENCE_BUYERS.toLocaleString('en-US')} buyers, seed ${REFERENCE_SEED}, ${fixed(ref.tasks / ref.buyers, 2)} tasks per buyer): ${interval(ref.failuresPerBuyer, 2)} paid failures per buyer (95% t-interval over buyers)`,
  );
  const skipped = skippedRuns(sweep);
  if (skipped.length)
    process.stderr.write(`skipped ${skipped.length} failed run(s): ${skipped.join(', ')}\n`);
  process.stdout.write(lines.join('\n') + '\n');
});
