/** Run and sweep headers name their counts in the singular for 1 (1 router, 1 seed, 1 worker) and say when a sweep runs inline. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { plural } from '../../sim/report/format.js';
import { consoleSummary } from '../../sim/report/console.js';
import { funnelTable } from '../../sim/report/tables.js';
import { runReportHtml } from '../../sim/report/run-report-html.js';
import { sweepCommand, sweepHeader } from '../../sim/commands/sweep-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;

describe('plural', () => {
  it('writes the singular for 1 only, with thousands separators and an irregular plural when given', () => {
    expect([
      plural(1, 'router'),
      plural(0, 'worker'),
      plural(2, 'seed'),
      plural(1200, 'run'),
      plural(1, 'delivery', 'deliveries'),
      plural(3, 'delivery', 'deliveries'),
    ]).toEqual(['1 router', '0 workers', '2 seeds', '1,200 runs', '1 delivery', '3 deliveries']);
  });
});

describe('a run with one of each', () => {
  const one: Summary = {
    ...golden,
    counts: { buyers: 1, sellers: 1, resellers: 1, subAgents: 1, routers: 1, tasks: 1 },
    purchases: { ...golden.purchases, total: 1, attempts: 1, quoteRejections: 0, paymentsAttempted: 1 },
    welfare: { ...golden.welfare, tasks: 1, done: 1 },
  };

  it('prints its console header in the singular', () => {
    expect(consoleSummary(one).split('\n').slice(0, 2)).toEqual([
      'quickstart (seed 1, embedded): 60 s of market, 1 buyer, 1 seller, 1 reseller, 1 sub-agent, 1 router',
      '1 purchase attempt; spent 255 sat + fees 11.355 sat; welfare 709.625 sat over 1 task (1 done)',
    ]);
  });

  it('names the funnel denominators in the singular for 1', () => {
    expect(
      funnelTable(one)
        .rows.map((r) => r[2])
        .slice(0, 3),
    ).toEqual(['0 of 1 attempt', '0 of 1 checked quote', '111 of 1 payment']);
  });

  it("writes report.html's overview in the singular", () => {
    const html = runReportHtml(one, []);
    expect(html).toContain('<td>agents</td><td>1 buyer, 1 sub-agent, 1 reseller</td>');
    expect(html).toContain('<td>network</td><td>1 seller, 1 router</td>');
  });
});

describe('the sweep header', () => {
  it('counts runs, points and seeds in the singular for 1 and says where the runs go', () => {
    expect([
      sweepHeader('quickstart', 2, 1, 0),
      sweepHeader('quickstart', 1, 1, 1),
      sweepHeader('quickstart', 6, 3, 4),
      sweepHeader('quickstart', 6, 3, 'queue'),
    ]).toEqual([
      'sweeping quickstart: 2 runs (2 points × 1 seed) inline (no worker threads)…',
      'sweeping quickstart: 1 run (1 point × 1 seed) on 1 worker…',
      'sweeping quickstart: 6 runs (2 points × 3 seeds) on 4 workers…',
      'sweeping quickstart: 6 runs (2 points × 3 seeds) over the queue…',
    ]);
  });

  it('`sim sweep --workers 0 --seeds 1` over 2 points starts with that line', async () => {
    const err: string[] = [];
    const io: CommandIo = {
      out: () => {},
      err: (l) => err.push(l),
      interactive: false,
      now: () => new Date(0),
    };
    const out = join(mkdtempSync(join(tmpdir(), 'sweep-header-')), 'out');
    const argv = ['quickstart', '--grid', 'registry.searchLimit=5,6', '--seeds', '1', '--workers', '0'];
    const flags = ['--set', 'durationSec=5', '--set', 'drainSec=5', '--out', out];
    expect(await sweepCommand([...argv, ...flags], io)).toBe(0);
    expect(err[0]).toBe('sweeping quickstart: 2 runs (2 points × 1 seed) inline (no worker threads)…');
  }, 120_000);
});
