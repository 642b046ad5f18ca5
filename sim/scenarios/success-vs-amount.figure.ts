/**
 * The success-vs-amount figure and table for docs/simulator.md, generated
 * from a sweep's sweep.json (never typed by hand):
 *
 *   npm run sim -- sweep success-vs-amount --out runs/success-vs-amount
 *   npx tsx sim/scenarios/success-vs-amount.figure.ts runs/success-vs-amount [FIGURE_DIR]
 *
 * Writes success-vs-amount.png to FIGURE_DIR (default docs/figures), says so on stderr
 * (`figure: <path>`), and prints the markdown table on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import type { SweepResult } from '../sweep/merge.js';
import { fixed, plural } from '../report/format.js';
import { svgToPng, toSvg } from '../report/render.js';
import { readFigureSweep, requireGroups, runFigure, sweepCommandFor } from '../sweep/figure-input.js';

/** Buyer group per amount, and the published success at that amount (Lightning snapshot, Feb 2024). */
const BUCKETS = [
  { group: 'pay-1k', sat: 1_000, reference: 0.8806 },
  { group: 'pay-10k', sat: 10_000, reference: 0.7762 },
  { group: 'pay-100k', sat: 100_000, reference: 0.4085 },
  { group: 'pay-1m', sat: 1_000_000, reference: 0.1229 },
];

const arm = (parts: unknown) =>
  Number(parts) > 1 ? `multi-part (≤ ${String(parts)} shards)` : 'single-part';

function rows(r: SweepResult) {
  return r.points.flatMap((p) =>
    BUCKETS.map((b) => {
      const s = p.groups[b.group]!.paymentSuccessRate;
      return { series: arm(p.overrides['network.payments.maxParts']), sat: b.sat, ...s };
    }),
  );
}

function chart(r: SweepResult): TopLevelSpec {
  const sim = rows(r);
  const ref = BUCKETS.map((b) => ({ series: 'mainnet snapshot (reference)', sat: b.sat, mean: b.reference }));
  const x = { field: 'sat', type: 'quantitative', scale: { type: 'log' }, title: 'amount (sat)' } as const;
  return {
    width: 480,
    height: 300,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title: `payment success by amount (${plural(r.seeds.length, 'seed')}, 95% intervals)`,
    layer: [
      {
        data: { values: [...sim, ...ref] },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'success rate', scale: { domain: [0, 1] } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            legend: { labelLimit: 320, orient: 'bottom' },
          },
        },
      },
      {
        data: { values: sim },
        mark: { type: 'rule' },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative' },
          y2: { field: 'high' },
          color: { field: 'series' },
        },
      },
    ],
  };
}

function table(r: SweepResult): string {
  const pct = (v: number | null) => (v === null ? fixed(v, 1) : `${(100 * v).toFixed(1)}%`);
  const head = [
    'amount',
    'mainnet snapshot',
    ...r.points.map((p) => arm(p.overrides['network.payments.maxParts'])),
  ];
  const lines = BUCKETS.map((b) => [
    `${b.sat.toLocaleString('en-US')} sat`,
    pct(b.reference),
    ...r.points.map((p) => {
      const s = p.groups[b.group]!.paymentSuccessRate;
      return `${pct(s.mean)} ± ${fixed(s.halfWidth === null ? null : 100 * s.halfWidth, 1)}`;
    }),
  ]);
  return [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}

const dir = process.argv[2];
const DOCS_FIGURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'figures');
if (!dir || dir === '--help' || dir === '-h') {
  process.stdout.write(
    `usage: npx tsx sim/scenarios/success-vs-amount.figure.ts <sweep output dir> [figure dir], the sweep made by \`${sweepCommandFor('success-vs-amount', 'DIR')}\`; the figure goes to the figure dir (default docs/figures)\n`,
  );
  process.exit(dir ? 0 : 2);
}
const out = process.argv[3] ?? DOCS_FIGURES;
await runFigure(async () => {
  const result = readFigureSweep(dir, 'success-vs-amount');
  requireGroups(
    result,
    dir,
    BUCKETS.map((b) => b.group),
  );
  mkdirSync(out, { recursive: true });
  const png = join(out, 'success-vs-amount.png');
  writeFileSync(png, svgToPng(await toSvg(chart(result))));
  // stdout is the markdown table (for the docs); what was written goes to stderr.
  process.stderr.write(`figure: ${png}\n`);
  process.stdout.write(table(result) + '\n');
});
