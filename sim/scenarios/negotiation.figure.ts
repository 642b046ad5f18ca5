/**
 * The negotiation table for docs/simulator.md, generated from a sweep's
 * run summaries (never typed by hand):
 *
 *   npm run sim -- sweep negotiation --out runs/negotiation
 *   npx tsx sim/scenarios/negotiation.figure.ts runs/negotiation
 *
 * Prints, per grid point, the `hagglers` group's mean price per paid call
 * next to the `posted` group's, its failure-to-agree rate, bids per
 * negotiation and savings against posted prices (mean ± 95% t half-width
 * over seeds), then the paired difference of the hagglers' price per call
 * against the first point.
 */
import type { Summary } from '../metrics/summary.js';
import { pairedDifference } from '../metrics/paired.js';
import { ratio, tInterval } from '../metrics/stats.js';
import { fixed } from '../report/format.js';
import {
  pointSummaries,
  readFigureSweep,
  requireGroups,
  runFigure,
  skippedRuns,
  sweepCommandFor,
} from '../sweep/figure-input.js';

const dir = process.argv[2];
if (!dir || dir === '--help' || dir === '-h') {
  process.stdout.write(
    `usage: tsx sim/scenarios/negotiation.figure.ts <sweep output dir>, made by \`${sweepCommandFor('negotiation', 'DIR')}\`\n`,
  );
  process.exit(dir ? 0 : 2);
}

/** A group's spend per paid call (null without paid calls: left out of the mean, as any figure over nothing). */
const perCall = (s: Summary, group: string) => ratio(s.groups[group]!.spentMsat, s.groups[group]!.paidCalls);
const fmt = (values: (number | null)[], digits = 0, scale = 1) => {
  const i = tInterval(values.map((v) => (v === null ? null : v * scale)));
  return `${fixed(i.mean, digits)} ± ${fixed(i.halfWidth, digits)}`;
};

await runFigure(() => {
  const sweep = readFigureSweep(dir, 'negotiation');
  requireGroups(sweep, dir, ['hagglers', 'posted']);
  const lines = [
    '| hagglers negotiate | hagglers msat/call | posted msat/call | failure to agree (%) | bids per negotiation | saved vs posted (%) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const price = new Map<number, Map<string, number | null>>();
  for (const p of sweep.points) {
    // A failed run has no summary: the point's seeds are its finished runs.
    const bySeed = pointSummaries(dir, sweep, p);
    const runs = [...bySeed.values()];
    price.set(p.index, new Map([...bySeed].map(([seed, s]) => [seed, perCall(s, 'hagglers')])));
    const n = runs.map((s) => s.negotiation?.hagglers);
    const neg = (f: (x: NonNullable<(typeof n)[number]>) => number | null, digits: number, scale = 1) =>
      n.every((x) => x)
        ? fmt(
            n.map((x) => f(x!)),
            digits,
            scale,
          )
        : '—';
    lines.push(
      `| ${String(Object.values(p.overrides)[0])} | ${fmt(runs.map((s) => perCall(s, 'hagglers')))} | ${fmt(runs.map((s) => perCall(s, 'posted')))} | ${neg((x) => x.failureRate, 1, 100)} | ${neg((x) => x.meanRounds, 2)} | ${neg((x) => x.savingsRate, 1, 100)} |`,
    );
  }
  for (const p of sweep.points.slice(1)) {
    const d = pairedDifference(price.get(p.index)!, price.get(0)!);
    lines.push(
      '',
      `hagglers' msat/call, ${p.label} − ${sweep.points[0]!.label}: ${fixed(d.mean, 0)} [${fixed(d.low, 0)}, ${fixed(d.high, 0)}] over ${d.n} paired seeds (d_z ${fixed(d.effectSize, 2)})`,
    );
  }
  const skipped = skippedRuns(sweep);
  if (skipped.length)
    process.stderr.write(`skipped ${skipped.length} failed run(s): ${skipped.join(', ')}\n`);
  process.stdout.write(lines.join('\n') + '\n');
});
